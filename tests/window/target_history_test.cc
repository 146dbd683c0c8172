#include "window/target_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
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
  // The +10 seen at 20 h across the 20 h gap counts only in the window that holds the gap.
  EXPECT_EQ(history.Increase("a", minutes(1), now), 20u);
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

// The two shapes the bound is tightest for: a target with one series (it carries all of the
// target's poll records) and increases of 128 to 16,383 at every poll.
TEST(TargetHistory, StoredBytesStayUnder8KbPerSeriesForOneSeriesAndForFiveDigitIncreases) {
  struct Shape {
    int series;
    uint64_t low;
    uint64_t high;
  };
  for (const Shape shape : {Shape{1, 1, 127}, Shape{8, 128, 16383}}) {
    TargetHistory history({minutes(1), std::chrono::hours(1)}, seconds(2));
    std::vector<Observation> page;
    for (int s = 0; s < shape.series; ++s) page.push_back({"series-" + std::to_string(s), 0});
    std::mt19937_64 random(17);
    std::uniform_int_distribution<uint64_t> increase(shape.low, shape.high);
    std::uniform_int_distribution<int64_t> jitter_us(0, 2000);
    MonoTime now = kStart;
    for (int i = 0; i < 3700; ++i) {
      for (Observation& o : page) o.value += increase(random);
      now += seconds(1) + std::chrono::microseconds(jitter_us(random));
      history.RecordSuccess(now, {}, page);
    }
    EXPECT_LE(history.stats().stored_bytes, static_cast<size_t>(shape.series) * 8000u)
        << shape.series << " series, increases " << shape.low << ".." << shape.high;
  }
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

// --- The gap rule: an increase seen across a gap span counts only in windows holding the span.

TEST_F(TargetHistoryTest, IncreaseAcrossAFailedPollCountsOnlyInWindowsHoldingTheWholeSpan) {
  TargetHistory history({seconds(10), minutes(1)}, kMaxGap);
  history.RecordSuccess(At(seconds(0)), {}, Page(0));
  history.RecordSuccess(At(seconds(5)), {}, Page(2));
  history.RecordFailure(At(seconds(10)));
  history.RecordSuccess(At(seconds(15)), {}, Page(9));  // +7 across (5 s, 15 s], a failure in it
  const MonoTime now = At(seconds(15));
  EXPECT_EQ(history.Increase("a", seconds(10), now), 0u);  // (5, 15]: the span starts at its edge
  EXPECT_EQ(history.Increase("a", minutes(1), now), 9u);
  // (4.999, 15]: the span starts inside, and the +2 at 5 s counts too (the scan path).
  EXPECT_EQ(history.Increase("a", seconds(10) + Millis(1), now), 9u);
  EXPECT_EQ(history.Increase("a", seconds(10), now - Millis(1)), 2u);  // before the 15 s poll
  history.RecordSuccess(At(seconds(20)), {}, Page(10));                // joined again: +1 at 20 s
  EXPECT_EQ(history.Increase("a", seconds(10), At(seconds(20))), 1u);
  EXPECT_EQ(history.Increase("a", minutes(1), At(seconds(20))), 10u);
  // Once the span's start leaves the window, its increase leaves with it, before its poll does.
  EXPECT_EQ(history.Increase("a", minutes(1), At(seconds(65) - Millis(1))), 10u);
  EXPECT_EQ(history.Increase("a", minutes(1), At(seconds(65))), 1u);
}

TEST_F(TargetHistoryTest, IncreaseAfterAnOutageLongerThanTheWindowNeverCountsInIt) {
  TargetHistory history({minutes(1), minutes(5)}, kMaxGap);
  history.RecordSuccess(At(seconds(0)), {}, Page(0));
  for (int i = 1; i <= 18; ++i) history.RecordFailure(At(seconds(5 * i)));
  history.RecordSuccess(At(seconds(95)), {}, Page(40));  // +40 across (0 s, 95 s]
  for (int i = 0; i <= 60; ++i) {
    const MonoTime now = At(seconds(95 + i));
    EXPECT_EQ(history.Increase("a", minutes(1), now), 0u) << "now " << 95 + i;
    EXPECT_EQ(history.Increase("a", minutes(5), now), 40u) << "now " << 95 + i;
  }
  EXPECT_LT(history.Coverage(minutes(1), At(seconds(95))), 1.0);
}

TEST_F(TargetHistoryTest, SpanLongerThanMaxGapIsAGapSpanAndMaxGapExactlyIsNot) {
  TargetHistory history({seconds(20), minutes(1)}, kMaxGap);
  history.RecordSuccess(At(seconds(0)), {}, Page(0));
  history.RecordSuccess(At(seconds(15)), {}, Page(3));  // exactly max_gap: joined, +3 at 15 s
  history.RecordSuccess(At(seconds(31)), {}, Page(8));  // 16 s: a gap span (15, 31], +5
  EXPECT_EQ(history.Increase("a", seconds(20), At(seconds(31))), 8u);
  // (5, 15]: the +3 was placed at its poll; (21, 31]: the +5 at the start of its span, 15 s.
  EXPECT_EQ(history.Increase("a", seconds(10), At(seconds(15))), 3u);
  EXPECT_EQ(history.Increase("a", seconds(10), At(seconds(31))), 0u);
  // The boundary: a span counts when its start is strictly inside the window.
  EXPECT_EQ(history.Increase("a", seconds(20), At(seconds(35) - Millis(1))), 8u);
  EXPECT_EQ(history.Increase("a", seconds(20), At(seconds(35))), 0u);
}

TEST_F(TargetHistoryTest, RestartAcrossAGapFollowsTheGapRule) {
  TargetHistory history({seconds(10), minutes(1)}, kMaxGap);
  history.RecordSuccess(At(seconds(0)), 600'000, Page(3));
  history.RecordSuccess(At(seconds(40)), 20'000, Page(9));  // restarted in the 40 s gap
  EXPECT_EQ(history.stats().restarts_detected, 1u);
  EXPECT_EQ(history.Increase("a", seconds(10), At(seconds(40))), 0u);
  EXPECT_EQ(history.Increase("a", minutes(1), At(seconds(40))), 9u);
}

TEST_F(TargetHistoryTest, NewSeriesAcrossAGapFollowsTheGapRule) {
  TargetHistory history({seconds(10), minutes(1)}, kMaxGap);
  history.RecordSuccess(At(seconds(0)), {}, Page(0));
  history.RecordFailure(At(seconds(5)));
  const std::vector<Observation> page = {{"a", 0}, {"late", 4}};
  history.RecordSuccess(At(seconds(10)), {}, page);
  EXPECT_EQ(history.Increase("late", seconds(10), At(seconds(10))), 0u);
  EXPECT_EQ(history.Increase("late", seconds(10) + Millis(1), At(seconds(10))), 4u);
}

TEST_F(TargetHistoryTest, PollTimesAreKeptToTheMillisecond) {
  Poll(seconds(0), Page(0));
  history_.RecordSuccess(At(seconds(5)) + std::chrono::microseconds(999), {}, Page(7));
  EXPECT_EQ(IncreaseA(seconds(65) - Millis(1)), 7u);
  EXPECT_EQ(IncreaseA(seconds(65)), 0u);  // the poll is at 5.000 s, not 5.000999 s
  // A record within the latest one's millisecond is not out of order.
  history_.RecordFailure(At(seconds(5)) + std::chrono::microseconds(10));
  EXPECT_EQ(history_.stats().out_of_order_records, 0u);
}

// --- Node-wide resets told by the caller.

TEST_F(TargetHistoryTest, NodeWideResetCountsEveryNewValueEvenPastTheOldOne) {
  Poll(seconds(0), {{"a", 3}, {"b", 50}, {"c", 7}}, 600'000);
  // `vmq-admin metrics reset`, then 5 more on "a" before the next poll: 3 -> 5 looks like +2.
  history_.RecordSuccess(At(seconds(5)), 605'000, std::vector<Observation>{{"a", 5}, {"b", 1}},
                         /*counters_reset=*/true);
  EXPECT_EQ(IncreaseA(seconds(5)), 5u);
  EXPECT_EQ(history_.Increase("b", kWindow, At(seconds(5))), 1u);
  EXPECT_EQ(history_.stats().counter_resets, 1u);
  EXPECT_EQ(history_.stats().restarts_detected, 0u);
  // "c" was missing from the reset page: it restarted at 0 too.
  Poll(seconds(10), {{"a", 5}, {"b", 1}, {"c", 2}}, 610'000);
  EXPECT_EQ(history_.Increase("c", kWindow, At(seconds(10))), 2u);
  EXPECT_EQ(history_.stats().counter_resets, 1u);
}

TEST_F(TargetHistoryTest, CounterResetsCountPollsNotSeries) {
  Poll(seconds(0), {{"a", 3}, {"b", 50}});
  Poll(seconds(5), {{"a", 1}, {"b", 2}});  // both went down: one poll
  EXPECT_EQ(history_.stats().counter_resets, 1u);
  history_.RecordSuccess(At(seconds(10)), {}, Page(0), /*counters_reset=*/true);
  EXPECT_EQ(history_.stats().counter_resets, 2u);
}

TEST_F(TargetHistoryTest, RestartIsCountedAsARestartNotAReset) {
  Poll(seconds(0), {{"a", 3}}, 600'000);
  history_.RecordSuccess(At(seconds(5)), 1'000, Page(1), /*counters_reset=*/true);
  EXPECT_EQ(history_.stats().restarts_detected, 1u);
  EXPECT_EQ(history_.stats().counter_resets, 0u);
  EXPECT_EQ(IncreaseA(seconds(5)), 1u);
}

TEST_F(TargetHistoryTest, NodeWideResetAcrossAGapFollowsTheGapRule) {
  TargetHistory history({seconds(10), minutes(1)}, kMaxGap);
  history.RecordSuccess(At(seconds(0)), {}, Page(3));
  history.RecordFailure(At(seconds(5)));
  history.RecordSuccess(At(seconds(10)), {}, Page(5), true);
  EXPECT_EQ(history.Increase("a", seconds(10), At(seconds(10))), 0u);
  EXPECT_EQ(history.Increase("a", minutes(1), At(seconds(10))), 5u);
}

// --- Export and FromImage.

static_assert(std::is_nothrow_move_constructible_v<TargetHistory>);
static_assert(std::is_nothrow_move_assignable_v<TargetHistory>);

HistoryImage SmallImage() {
  HistoryImage image;
  image.records = {{At(seconds(0)), true}, {At(seconds(5)), false}, {At(seconds(10)), true}};
  image.last_uptime_ms = 10'000;
  image.series = {{"a", 9, 0, {0, 9}}, {"b", 4, 1, {0}}};
  return image;
}

std::string Refusal(const HistoryImage& image, std::vector<Millis> windows = {kWindow}) {
  std::string error;
  const auto history = TargetHistory::FromImage(std::move(windows), kMaxGap, image, &error);
  if (history) return "accepted";
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos);
  return error;
}

TEST(TargetHistoryImage, ImportedHistoryAnswersAsTheExportedOneAndGoesOn) {
  TargetHistory history({kWindow, minutes(5)}, kMaxGap);
  uint64_t value = 0;
  for (int i = 0; i <= 100; ++i) {
    if (i % 9 == 4) {
      history.RecordFailure(At(seconds(5 * i)));
      continue;
    }
    value += static_cast<uint64_t>(i % 4);
    const std::vector<Observation> page = {{"a", value}, {"b", value / 2}};
    history.RecordSuccess(At(seconds(5 * i)), 1000 * static_cast<uint64_t>(i), page);
  }
  std::string error;
  std::optional<TargetHistory> copy =
      TargetHistory::FromImage({kWindow, minutes(5)}, kMaxGap, history.Export(), &error);
  ASSERT_TRUE(copy.has_value()) << error;
  for (const Millis after : {Millis(0), Millis(3000), Millis(14000)}) {
    const MonoTime now = At(seconds(500) + after);
    for (const Millis window : {kWindow, Millis(minutes(5)), Millis(seconds(20))}) {
      EXPECT_EQ(copy->Increase("a", window, now), history.Increase("a", window, now));
      EXPECT_EQ(copy->Increase("b", window, now), history.Increase("b", window, now));
      EXPECT_EQ(copy->Coverage(window, now), history.Coverage(window, now));
    }
  }
  EXPECT_EQ(copy->series_count(), 2u);
  EXPECT_EQ(copy->stats().counter_resets, history.stats().counter_resets);
  EXPECT_EQ(copy->stats().restarts_detected, history.stats().restarts_detected);
  EXPECT_EQ(copy->stats().stored_increments, history.stats().stored_increments);
  EXPECT_EQ(copy->stats().stored_poll_records, history.stats().stored_poll_records);
  // It goes on like the original: no baseline, restarts seen against the imported uptime.
  const std::vector<Observation> page = {{"a", 2}, {"b", value / 2}};
  for (TargetHistory* h : {&history, &*copy}) h->RecordSuccess(At(seconds(505)), 1, page);
  EXPECT_EQ(copy->stats().restarts_detected, history.stats().restarts_detected);
  EXPECT_EQ(history.stats().restarts_detected, 1u);
  EXPECT_EQ(copy->Increase("a", seconds(1), At(seconds(505))), 2u);
  EXPECT_EQ(copy->Increase("a", kWindow, At(seconds(505))),
            history.Increase("a", kWindow, At(seconds(505))));
}

TEST(TargetHistoryImage, LongerWindowIsPartlyCoveredUntilItFillsAndShorterDropsHistory) {
  TargetHistory history({kWindow}, kMaxGap);
  for (int i = 0; i <= 40; ++i) history.RecordSuccess(At(seconds(5 * i)), {}, Page(i));
  const HistoryImage image = history.Export();
  std::string error;
  auto longer = TargetHistory::FromImage({kWindow, minutes(5)}, kMaxGap, image, &error);
  ASSERT_TRUE(longer.has_value()) << error;
  // 1 m + 15 s of history held, plus the record before the oldest one.
  const MonoTime now = At(seconds(200));
  EXPECT_DOUBLE_EQ(longer->Coverage(minutes(5), now), 80.0 / 300.0);
  EXPECT_EQ(longer->Increase("a", minutes(5), now), 16u);
  EXPECT_EQ(longer->Increase("a", kWindow, now), 12u);
  for (int i = 41; i <= 100; ++i) longer->RecordSuccess(At(seconds(5 * i)), {}, Page(i));
  EXPECT_EQ(longer->Coverage(minutes(5), At(seconds(500))), 1.0);
  EXPECT_EQ(longer->Increase("a", minutes(5), At(seconds(500))), 60u);

  auto shorter = TargetHistory::FromImage({seconds(10)}, kMaxGap, image, &error);
  ASSERT_TRUE(shorter.has_value()) << error;
  EXPECT_EQ(shorter->Increase("a", seconds(10), now), 2u);
  EXPECT_LE(shorter->stats().stored_poll_records, 6u);  // 10 s + 15 s at 5 s
}

TEST(TargetHistoryImage, EmptyImageGivesAnEmptyHistoryWhoseFirstPollIsABaseline) {
  std::string error;
  auto history = TargetHistory::FromImage({kWindow}, kMaxGap, HistoryImage{}, &error);
  ASSERT_TRUE(history.has_value()) << error;
  history->RecordSuccess(At(seconds(0)), {}, Page(5));
  EXPECT_EQ(history->Increase("a", kWindow, At(seconds(0))), 0u);
  history->RecordSuccess(At(seconds(5)), {}, std::vector<Observation>{{"a", 5}, {"new", 3}});
  EXPECT_EQ(history->Increase("new", kWindow, At(seconds(5))), 3u);
}

TEST(TargetHistoryImage, SeriesWithoutHeldIncreasesStillKnowsItsLastValue) {
  HistoryImage image;
  image.records = {{At(seconds(0)), false}};
  image.series = {{"a", 10, 0, {}}};
  std::string error;
  auto history = TargetHistory::FromImage({kWindow}, kMaxGap, image, &error);
  ASSERT_TRUE(history.has_value()) << error;
  history->RecordSuccess(At(seconds(5)), {}, Page(13));
  history->RecordSuccess(At(seconds(10)), {}, Page(14));
  // +3 was seen across a failure from a poll the image does not hold: placed in no window.
  EXPECT_EQ(history->Increase("a", kWindow, At(seconds(10))), 1u);
  EXPECT_EQ(history->Increase("a", kWindow + seconds(1), At(seconds(10))), 1u);
}

TEST(TargetHistoryImage, ValidImageIsAccepted) { EXPECT_EQ(Refusal(SmallImage()), "accepted"); }

TEST(TargetHistoryImage, RefusesRecordsOutOfOrder) {
  HistoryImage image = SmallImage();
  std::swap(image.records[0], image.records[2]);
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("earlier than the record before"));
}

TEST(TargetHistoryImage, RefusesTimesFarFromTheClock) {
  HistoryImage image = SmallImage();
  image.records.back().time = MonoTime::max();
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("out of range"));
  image = SmallImage();
  image.records.front().time = MonoTime::min();
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("out of range"));
}

TEST(TargetHistoryImage, RefusesMoreIncreasesThanSuccessfulPolls) {
  HistoryImage image = SmallImage();
  image.series[0].increases = {1, 2, 3};
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("more increases than successful polls"));
}

TEST(TargetHistoryImage, RefusesDuplicateAndEmptyKeys) {
  HistoryImage image = SmallImage();
  image.series[1].key = "a";
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("listed twice"));
  image.series[1].key = "";
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("empty key"));
}

TEST(TargetHistoryImage, RefusesIncreasesAtPollsThatDidNotSeeTheSeries) {
  HistoryImage image = SmallImage();
  image.series[0].polls_since_seen = 1;  // but the latest poll saw +9
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("did not see it"));
  image = SmallImage();
  image.series[1].polls_since_seen = std::numeric_limits<uint64_t>::max();
  EXPECT_THAT(Refusal(image), ::testing::HasSubstr("polls_since_seen"));
}

TEST(TargetHistoryImage, RefusesBadWindowsAndGap) {
  EXPECT_THAT(Refusal(SmallImage(), {Millis(0)}), ::testing::HasSubstr("window"));
  std::string error;
  EXPECT_FALSE(TargetHistory::FromImage({kWindow}, Millis(-1), SmallImage(), &error));
  EXPECT_THAT(error, ::testing::HasSubstr("gap"));
  EXPECT_FALSE(TargetHistory::FromImage({kWindow}, Millis(-1), SmallImage(), nullptr));
}

// Random damage to a valid image: refused with a reason or accepted, and an accepted one
// answers queries and takes polls (ASan/UBSan builds check there is no UB).
TEST(TargetHistoryImage, DamagedImagesNeverCrash) {
  TargetHistory history({kWindow}, kMaxGap);
  for (int i = 0; i <= 30; ++i) {
    if (i % 7 == 3) {
      history.RecordFailure(At(seconds(5 * i)));
    } else {
      const std::vector<Observation> page = {{"a", uint64_t(i) * 3}, {"b", uint64_t(i) % 5}};
      history.RecordSuccess(At(seconds(5 * i)), {}, page);
    }
  }
  const HistoryImage good = history.Export();
  std::mt19937_64 random(3);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };
  int accepted = 0;
  for (int round = 0; round < 2000; ++round) {
    HistoryImage image = good;
    switch (pick(6)) {
      case 0:
        image.records[pick(image.records.size())].time += Millis(pick(20'000)) - seconds(10);
        break;
      case 1:
        image.records[pick(image.records.size())].success ^= true;
        break;
      case 2:
        image.records.erase(image.records.begin() +
                            static_cast<ptrdiff_t>(pick(image.records.size())));
        break;
      case 3:
        image.series[pick(2)].increases.push_back(pick(5));
        break;
      case 4:
        image.series[pick(2)].polls_since_seen = pick(40);
        break;
      default:
        image.series[pick(2)].last_value = std::numeric_limits<uint64_t>::max() - pick(3);
    }
    std::string error;
    auto restored = TargetHistory::FromImage({kWindow, seconds(10)}, kMaxGap, image, &error);
    if (!restored) {
      EXPECT_FALSE(error.empty());
      continue;
    }
    ++accepted;
    restored->RecordSuccess(At(seconds(160)), {}, Page(7));
    (void)restored->Increase("a", kWindow, At(seconds(161)));
    (void)restored->Increase("b", seconds(30), At(seconds(150)));
    (void)restored->Coverage(kWindow, At(seconds(161)));
    (void)restored->Export();
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace vmq::window
