#include "window/target_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace vmq::window {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Millis kWindow = minutes(1);
constexpr Millis kMaxGap = seconds(15);
const MonoTime kStart{std::chrono::hours(1000)};

MonoTime At(Millis offset) { return kStart + offset; }

std::vector<Observation> Page(uint64_t value) { return {{"a", value}}; }

class TargetHistoryTest : public ::testing::Test {
 protected:
  TargetHistory history_{{kWindow}, kMaxGap};

  void Poll(Millis at, std::vector<Observation> page, std::optional<uint64_t> uptime = {}) {
    history_.RecordSuccess(At(at), uptime, page);
  }
  uint64_t IncreaseA(Millis now, Millis window = kWindow) const {
    return history_.Increase("a", window, At(now));
  }
  double CoverageAt(Millis now, Millis window = kWindow) const {
    return history_.Coverage(window, At(now));
  }
};

TEST_F(TargetHistoryTest, BaselinePollCountsNothing) {
  Poll(seconds(0), Page(1234));
  EXPECT_EQ(IncreaseA(seconds(0)), 0u);
  EXPECT_EQ(history_.stats().stored_increments, 0u);
}

TEST_F(TargetHistoryTest, IncreasesSumExactlyInTheWindow) {
  Poll(seconds(0), Page(10));
  Poll(seconds(5), Page(13));
  Poll(seconds(10), Page(13));
  Poll(seconds(15), Page(20));
  EXPECT_EQ(IncreaseA(seconds(15)), 10u);
}

TEST_F(TargetHistoryTest, IncreaseAgesOutExactlyWhenItsPollLeavesTheWindow) {
  Poll(seconds(0), Page(0));
  Poll(seconds(5), Page(7));
  EXPECT_EQ(IncreaseA(seconds(5)), 7u);  // t == now is in
  EXPECT_EQ(IncreaseA(seconds(65) - Millis(1)), 7u);
  EXPECT_EQ(IncreaseA(seconds(65)), 0u);  // t == now - W is out
}

TEST_F(TargetHistoryTest, IncreaseAfterNowIsNotCounted) {
  Poll(seconds(0), Page(0));
  Poll(seconds(5), Page(7));
  EXPECT_EQ(IncreaseA(seconds(5) - Millis(1)), 0u);
}

TEST(TargetHistory, AnswersSeveralWindowsFromTheSameHistory) {
  TargetHistory history({seconds(10), minutes(1), minutes(5)}, kMaxGap);
  uint64_t value = 0;
  for (int i = 0; i <= 60; ++i) {  // one poll each 5 s for 5 min, each seeing +1
    const std::vector<Observation> page = {{"a", value++}};
    history.RecordSuccess(At(seconds(5 * i)), {}, page);
  }
  const MonoTime now = At(minutes(5));
  EXPECT_EQ(history.Increase("a", seconds(10), now), 2u);
  EXPECT_EQ(history.Increase("a", minutes(1), now), 12u);
  EXPECT_EQ(history.Increase("a", minutes(5), now), 60u);
}

TEST_F(TargetHistoryTest, UnknownSeriesHasNoIncrease) {
  Poll(seconds(0), Page(1));
  EXPECT_EQ(history_.Increase("nope", kWindow, At(seconds(0))), 0u);
}

TEST_F(TargetHistoryTest, CounterResetCountsTheNewValue) {
  Poll(seconds(0), Page(100));
  Poll(seconds(5), Page(4));
  EXPECT_EQ(IncreaseA(seconds(5)), 4u);
  EXPECT_EQ(history_.stats().counter_resets, 1u);
  EXPECT_EQ(history_.stats().restarts_detected, 0u);
}

TEST_F(TargetHistoryTest, RestartHiddenBehindGrowthIsCaughtByUptimeAndCountsNewValues) {
  Poll(seconds(0), {{"a", 3}, {"b", 50}}, 600'000);
  // The node restarted; "a" grew past its old value, "b" did not.
  Poll(seconds(5), {{"a", 9}, {"b", 2}}, 1'000);
  EXPECT_EQ(IncreaseA(seconds(5)), 9u);
  EXPECT_EQ(history_.Increase("b", kWindow, At(seconds(5))), 2u);
  EXPECT_EQ(history_.stats().restarts_detected, 1u);
  EXPECT_EQ(history_.stats().counter_resets, 0u);
}

TEST_F(TargetHistoryTest, RestartIsComparedWithThePreviousSuccessfulPoll) {
  Poll(seconds(0), Page(3), 600'000);
  history_.RecordFailure(At(seconds(5)));
  Poll(seconds(10), Page(9), 1'000);
  EXPECT_EQ(IncreaseA(seconds(10)), 9u);
  EXPECT_EQ(history_.stats().restarts_detected, 1u);
}

TEST_F(TargetHistoryTest, GrowingUptimeIsNoRestart) {
  Poll(seconds(0), Page(3), 600'000);
  Poll(seconds(5), Page(9), 605'000);
  EXPECT_EQ(IncreaseA(seconds(5)), 6u);
  EXPECT_EQ(history_.stats().restarts_detected, 0u);
}

TEST_F(TargetHistoryTest, MissingUptimeOnEitherPollDetectsNoRestart) {
  Poll(seconds(0), Page(3), 600'000);
  Poll(seconds(5), Page(9));
  Poll(seconds(10), Page(12), 1'000);
  EXPECT_EQ(IncreaseA(seconds(10)), 9u);
  EXPECT_EQ(history_.stats().restarts_detected, 0u);
}

TEST_F(TargetHistoryTest, SeriesMissingAtARestartCountsItsNextValueInFull) {
  Poll(seconds(0), {{"a", 3}, {"b", 50}}, 600'000);
  Poll(seconds(5), {{"a", 1}}, 1'000);
  Poll(seconds(10), {{"a", 1}, {"b", 70}}, 6'000);
  EXPECT_EQ(history_.Increase("b", kWindow, At(seconds(10))), 70u);
  EXPECT_EQ(history_.stats().counter_resets, 0u);
}

TEST_F(TargetHistoryTest, NewSeriesAfterBaselineCountsFromZero) {
  Poll(seconds(0), Page(1));
  Poll(seconds(5), {{"a", 1}, {"late", 6}});
  EXPECT_EQ(history_.Increase("late", kWindow, At(seconds(5))), 6u);
  EXPECT_EQ(history_.series_count(), 2u);
}

TEST_F(TargetHistoryTest, MissingSeriesKeepsItsValue) {
  Poll(seconds(0), {{"a", 10}, {"b", 1}});
  Poll(seconds(5), {{"b", 2}});
  Poll(seconds(10), {{"a", 12}, {"b", 3}});
  EXPECT_EQ(IncreaseA(seconds(10)), 2u);
  EXPECT_EQ(history_.stats().counter_resets, 0u);
}

TEST_F(TargetHistoryTest, ForEachSeriesVisitsEverySeriesSeen) {
  Poll(seconds(0), {{"a", 1}});
  Poll(seconds(5), {{"b", 1}});
  std::vector<std::string> seen;
  history_.ForEachSeries([&seen](const std::string& series) { seen.push_back(series); });
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("a", "b"));
}

TEST_F(TargetHistoryTest, NothingRecordedHasNoCoverage) { EXPECT_EQ(CoverageAt(seconds(0)), 0.0); }

TEST_F(TargetHistoryTest, FailureBetweenTwoSuccessesLeavesThatSpanUncovered) {
  for (int i = 0; i <= 12; ++i) {
    if (i == 6) {
      history_.RecordFailure(At(seconds(5 * i)));
    } else {
      Poll(seconds(5 * i), Page(0));
    }
  }
  // Polls at 0..60 s; the failure at 30 s uncovers (25 s, 35 s].
  EXPECT_DOUBLE_EQ(CoverageAt(seconds(60)), 50.0 / 60.0);
}

TEST_F(TargetHistoryTest, SpanLongerThanMaxGapIsUncovered) {
  Poll(seconds(0), Page(0));
  Poll(seconds(40), Page(0));
  Poll(seconds(55), Page(0));  // exactly max_gap apart: covered
  EXPECT_DOUBLE_EQ(CoverageAt(seconds(60)), 20.0 / 60.0);
}

TEST_F(TargetHistoryTest, OutageLongerThanTheWindowGivesZeroThenExactlyOneAfterAFullWindow) {
  for (int i = 0; i <= 12; ++i) Poll(seconds(5 * i), Page(0));
  EXPECT_EQ(CoverageAt(seconds(60)), 1.0);
  for (int i = 13; i <= 40; ++i) history_.RecordFailure(At(seconds(5 * i)));
  EXPECT_EQ(CoverageAt(seconds(200)), 0.0);
  for (int i = 41; i <= 52; ++i) Poll(seconds(5 * i), Page(0));
  EXPECT_DOUBLE_EQ(CoverageAt(seconds(260)), 55.0 / 60.0);
  Poll(seconds(265), Page(0));
  EXPECT_EQ(CoverageAt(seconds(265)), 1.0);
}

TEST_F(TargetHistoryTest, WarmUpCoverageGrowsFromZeroToExactlyOne) {
  Poll(seconds(0), Page(0));
  EXPECT_EQ(CoverageAt(seconds(0)), 0.0);
  double previous = 0.0;
  for (int i = 1; i <= 12; ++i) {
    Poll(seconds(5 * i), Page(0));
    const double coverage = CoverageAt(seconds(5 * i));
    EXPECT_GT(coverage, previous) << "poll " << i;
    EXPECT_DOUBLE_EQ(coverage, 5.0 * i / 60.0) << "poll " << i;
    previous = coverage;
  }
  EXPECT_EQ(previous, 1.0);
}

TEST_F(TargetHistoryTest, TrailingSpanStopsCountingOnceNowIsMoreThanMaxGapPastTheLastPoll) {
  for (int i = 0; i <= 12; ++i) Poll(seconds(5 * i), Page(0));
  EXPECT_EQ(CoverageAt(seconds(60) + kMaxGap), 1.0);
  EXPECT_DOUBLE_EQ(CoverageAt(seconds(60) + kMaxGap + Millis(1)), (60'000.0 - 15'001.0) / 60'000.0);
}

TEST(TargetHistory, LongestWindowStaysExactlyCoveredInSteadyState) {
  TargetHistory history({minutes(1)}, kMaxGap);
  // 7 s does not divide the window, so a covered span always straddles its start.
  for (int i = 0; i < 1000; ++i) {
    history.RecordSuccess(At(seconds(7 * i)), {}, Page(0));
    if (i < 9) continue;
    ASSERT_EQ(history.Coverage(minutes(1), At(seconds(7 * i))), 1.0) << "poll " << i;
  }
}

TEST_F(TargetHistoryTest, TrailingSpanAfterAFailureIsUncovered) {
  for (int i = 0; i <= 12; ++i) Poll(seconds(5 * i), Page(0));
  history_.RecordFailure(At(seconds(62)));
  EXPECT_DOUBLE_EQ(CoverageAt(seconds(65)), 55.0 / 60.0);
}

TEST(TargetHistory, MemoryStaysBoundedAfter100kPolls) {
  constexpr Millis kInterval = seconds(5);
  const std::vector<Millis> windows = {minutes(1), minutes(5)};
  TargetHistory history(windows, kMaxGap);
  std::vector<Observation> page = {{"a", 0}, {"b", 0}, {"c", 0}};
  for (int i = 0; i < 100'000; ++i) {
    for (Observation& o : page) o.value += 1;
    if (i % 7 == 3) {
      history.RecordFailure(At(kInterval * i));
    } else {
      history.RecordSuccess(At(kInterval * i), {}, page);
    }
  }
  const size_t polls_per_window = minutes(5) / kInterval + kMaxGap / kInterval + 1;
  EXPECT_LE(history.stats().stored_poll_records, polls_per_window);
  EXPECT_LE(history.stats().stored_increments, page.size() * polls_per_window);
  EXPECT_GT(history.stats().stored_increments, 0u);
}

TEST_F(TargetHistoryTest, OutOfOrderRecordIsIgnored) {
  Poll(seconds(0), Page(0));
  Poll(seconds(10), Page(5));
  Poll(seconds(5), Page(100));
  history_.RecordFailure(At(seconds(7)));
  Poll(seconds(15), Page(8));
  EXPECT_EQ(IncreaseA(seconds(15)), 8u);
  EXPECT_EQ(history_.stats().out_of_order_records, 2u);
  EXPECT_EQ(history_.stats().counter_resets, 0u);
  EXPECT_DOUBLE_EQ(CoverageAt(seconds(15)), 15.0 / 60.0);
}

TEST_F(TargetHistoryTest, RecordAtTheSameTimeAsTheLatestIsAccepted) {
  Poll(seconds(0), Page(0));
  Poll(seconds(5), Page(2));
  Poll(seconds(5), Page(3));
  EXPECT_EQ(IncreaseA(seconds(5)), 3u);
  EXPECT_EQ(history_.stats().out_of_order_records, 0u);
}

TEST_F(TargetHistoryTest, SeriesListedTwiceOnOnePageCountsBothIncreases) {
  Poll(seconds(0), Page(0));
  Poll(seconds(5), {{"a", 5}, {"a", 8}});
  EXPECT_EQ(IncreaseA(seconds(5)), 8u);
  Poll(seconds(10), Page(9));
  EXPECT_EQ(IncreaseA(seconds(10)), 9u);
}

TEST_F(TargetHistoryTest, HugeIncreasesStayExact) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  Poll(seconds(0), Page(0));
  Poll(seconds(5), Page(kMax));
  EXPECT_EQ(IncreaseA(seconds(5)), kMax);
  Poll(seconds(10), Page(1));  // a reset: counts the new value
  Poll(seconds(15), Page((uint64_t{1} << 63) + 7));
  EXPECT_EQ(IncreaseA(seconds(15), seconds(6)), (uint64_t{1} << 63) + 7);
  EXPECT_EQ(IncreaseA(seconds(69)), (uint64_t{1} << 63) + 7);  // the 5 s poll left
}

TEST(TargetHistory, IncreasesAnswersEveryWindowInItsOrder) {
  TargetHistory history({minutes(5), seconds(10), minutes(1)}, kMaxGap);
  for (int i = 0; i <= 60; ++i) {
    const std::vector<Observation> page = {{"a", static_cast<uint64_t>(i)}};
    history.RecordSuccess(At(seconds(5 * i)), {}, page);
  }
  std::vector<uint64_t> out(3);
  history.Increases("a", At(minutes(5)), out);
  EXPECT_THAT(out, ::testing::ElementsAre(60u, 2u, 12u));
  history.Increases("nope", At(minutes(5)), out);
  EXPECT_THAT(out, ::testing::ElementsAre(0u, 0u, 0u));
}

// Queries the running sums cannot answer (a window length that was not declared, a `now`
// before the latest record) are answered from the stored history, just as exactly.
TEST(TargetHistory, UndeclaredWindowAndEarlierNowAreExact) {
  TargetHistory history({minutes(1)}, kMaxGap);
  for (int i = 0; i <= 30; ++i) {
    const std::vector<Observation> page = {{"a", static_cast<uint64_t>(i * i)}};
    history.RecordSuccess(At(seconds(5 * i)), {}, page);
  }
  // Increase at poll i is 2i - 1.
  EXPECT_EQ(history.Increase("a", seconds(20), At(seconds(150))), 59u + 57u + 55u + 53u);
  EXPECT_EQ(history.Increase("a", seconds(20), At(seconds(147))), 57u + 55u + 53u + 51u);
  EXPECT_EQ(history.Increase("a", minutes(1), At(seconds(147))), 29u * 29 - 17 * 17);
  EXPECT_DOUBLE_EQ(history.Coverage(seconds(20), At(seconds(150))), 1.0);
  EXPECT_DOUBLE_EQ(history.Coverage(seconds(20), At(seconds(160))), 1.0);
  EXPECT_EQ(history.Coverage(seconds(20), At(seconds(170))), 0.0);
  EXPECT_DOUBLE_EQ(history.Coverage(minutes(1), At(seconds(170))), 40.0 / 60.0);
}

TEST(TargetHistory, ExtremeGapsBetweenRecordsDecodeExactly) {
  TargetHistory history({minutes(1), std::chrono::hours(24)}, kMaxGap);
  const std::vector<Millis> offsets = {Millis(0),
                                       Millis(0),
                                       Millis(1),
                                       seconds(59),
                                       std::chrono::hours(20),
                                       std::chrono::hours(20) + Millis(1),
                                       std::chrono::hours(20) + seconds(15)};
  uint64_t value = 0;
  for (const Millis offset : offsets) {
    const std::vector<Observation> page = {{"a", value}};
    history.RecordSuccess(At(offset), {}, page);
    value += 10;
  }
  const MonoTime now = At(std::chrono::hours(20) + seconds(15));
  EXPECT_EQ(history.Increase("a", minutes(1), now), 30u);
  EXPECT_EQ(history.Increase("a", std::chrono::hours(24), now), 60u);
  EXPECT_DOUBLE_EQ(history.Coverage(minutes(1), now), 15.0 / 60.0);
  EXPECT_EQ(history.stats().stored_poll_records, offsets.size());
}

// The bound of the header: 1 h of 1 s polls, 8 series all increasing at every poll by up to
// 127, stays under 8 KB per series, and a burst of huge increases is given back once it
// has aged out. (RSS figures: bench/history_memory.)
TEST(TargetHistory, StoredBytesStayWithinTheBoundAndShrinkAfterABurst) {
  constexpr int kSeries = 8;
  TargetHistory history({minutes(1), std::chrono::hours(1)}, seconds(2));
  std::vector<Observation> page;
  for (int s = 0; s < kSeries; ++s) page.push_back({"series-" + std::to_string(s), 0});
  MonoTime now = kStart;
  std::vector<std::pair<MonoTime, uint64_t>> added;  // to series-0
  auto poll_for = [&](int polls, uint64_t increase) {
    for (int i = 0; i < polls; ++i) {
      const uint64_t amount = increase + static_cast<uint64_t>(i % 7);
      for (Observation& o : page) o.value += amount;
      now += seconds(1) + std::chrono::microseconds(i % 997);
      history.RecordSuccess(now, {}, page);
      added.emplace_back(now, added.empty() ? 0 : amount);
    }
  };
  auto expected_hour = [&] {
    uint64_t sum = 0;
    for (const auto& [time, amount] : added) sum += time > now - std::chrono::hours(1) ? amount : 0;
    return sum;
  };
  poll_for(3700, 100);
  const size_t steady = history.stats().stored_bytes;
  EXPECT_LE(steady, kSeries * 8192u);
  EXPECT_GE(steady, kSeries * 3600u);  // at least one byte per series per poll held
  EXPECT_EQ(history.Increase("series-0", std::chrono::hours(1), now), expected_hour());
  poll_for(3700, uint64_t{1} << 50);
  EXPECT_GE(history.stats().stored_bytes, 2 * steady);
  EXPECT_EQ(history.Increase("series-0", std::chrono::hours(1), now), expected_hour());
  poll_for(2 * 3700, 100);
  EXPECT_LE(history.stats().stored_bytes, steady + steady / 2);
  EXPECT_EQ(history.Increase("series-0", std::chrono::hours(1), now), expected_hour());
}

// Memory is reserved ahead while the history fills, from what was seen so far; large early
// increases or two records close together must not make it reserve far more than the
// window will hold.
TEST(TargetHistory, EarlyLargeIncreasesAndCloseRecordsDoNotOverReserve) {
  auto held_bytes = [](bool odd_start) {
    TargetHistory history({std::chrono::hours(1)}, seconds(2));
    std::vector<Observation> page;
    for (int s = 0; s < 8; ++s) page.push_back({"series-" + std::to_string(s), 0});
    MonoTime now = kStart;
    history.RecordSuccess(now, {}, page);
    if (odd_start) {
      for (Observation& o : page) o.value += uint64_t{1} << 60;
      history.RecordSuccess(now + Millis(1), {}, page);
    }
    for (int i = 0; i < 1800; ++i) {  // half the window: still filling
      for (Observation& o : page) o.value += 5;
      now += seconds(1);
      history.RecordSuccess(now, {}, page);
    }
    return history.stats().stored_bytes;
  };
  const size_t plain = held_bytes(false);
  EXPECT_LE(held_bytes(true), plain + plain / 8);
}

}  // namespace
}  // namespace vmq::window
