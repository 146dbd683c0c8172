#include "window/target_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
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

}  // namespace
}  // namespace vmq::window
