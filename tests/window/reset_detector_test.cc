#include "window/reset_detector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace vmq::window {
namespace {

using ::testing::HasSubstr;

class ResetDetectorTest : public ::testing::Test {
 protected:
  // Counters 1..n by identity, named "c<id>".
  ResetCheck Observe(std::optional<uint64_t> uptime, const std::vector<CounterReading>& page) {
    return detector_.Observe(
        uptime, page, [&page](size_t index) { return "c" + std::to_string(page[index].id); });
  }

  ResetDetector detector_;
};

TEST_F(ResetDetectorTest, FirstPageIsABaselineEvenWithLowValues) {
  const ResetCheck check = Observe(1000, {{1, 0}, {2, 0}});
  EXPECT_EQ(check.verdict, ResetVerdict::kNone);
  EXPECT_EQ(check.evidence, "");
  EXPECT_EQ(detector_.stats().counters_held, 2u);
}

TEST_F(ResetDetectorTest, CountersGoingUpOrStayingAreNoReset) {
  Observe(1000, {{1, 3}, {2, 40}});
  const ResetCheck check = Observe(2000, {{1, 3}, {2, 41}});
  EXPECT_EQ(check.verdict, ResetVerdict::kNone);
  EXPECT_EQ(check.decreased, 0u);
}

TEST_F(ResetDetectorTest, WallclockGoingDownIsARestartEvenWhenEveryCounterGrew) {
  Observe(81234, {{1, 3}, {2, 40}});
  const ResetCheck check = Observe(1520, {{1, 5}, {2, 41}});
  EXPECT_EQ(check.verdict, ResetVerdict::kRestart);
  EXPECT_EQ(check.evidence, "system_wallclock 81234 -> 1520 ms");
}

TEST_F(ResetDetectorTest, OneCounterDownWithWallclockRunningIsAMetricsReset) {
  // The case: the tracked counter went 3 -> 5 across the reset, another went down.
  Observe(84203, {{1, 3}, {2, 40}});
  const ResetCheck check = Observe(84583, {{1, 5}, {2, 3}});
  EXPECT_EQ(check.verdict, ResetVerdict::kMetricsReset);
  EXPECT_EQ(check.evidence, "c2 40 -> 3");
  EXPECT_EQ(check.decreased, 1u);
}

TEST_F(ResetDetectorTest, EvidenceNamesTheFirstCounterInPageOrderAndCountsTheOthers) {
  // Identities out of order on purpose: page order, not identity order, picks the first.
  Observe(100, {{9, 10}, {4, 20}, {7, 30}, {1, 40}});
  const ResetCheck check = Observe(200, {{9, 10}, {4, 2}, {7, 0}, {1, 0}});
  EXPECT_EQ(check.verdict, ResetVerdict::kMetricsReset);
  EXPECT_EQ(check.evidence, "c4 20 -> 2, and 2 more counters went down");
  EXPECT_EQ(check.decreased, 3u);
}

TEST_F(ResetDetectorTest, SaysOneMoreCounterInTheSingular) {
  Observe(100, {{1, 10}, {2, 20}});
  EXPECT_EQ(Observe(200, {{1, 0}, {2, 0}}).evidence, "c1 10 -> 0, and 1 more counter went down");
}

TEST_F(ResetDetectorTest, WithoutWallclockACounterDownIsStillAReset) {
  Observe(std::nullopt, {{1, 10}});
  const ResetCheck check = Observe(std::nullopt, {{1, 2}});
  EXPECT_EQ(check.verdict, ResetVerdict::kMetricsReset);
  EXPECT_THAT(check.evidence, HasSubstr("c1 10 -> 2"));
  EXPECT_THAT(check.evidence, HasSubstr("no system_wallclock"));
}

TEST_F(ResetDetectorTest, WallclockMissingOnOnePageLeavesTheCountersToTell) {
  Observe(5000, {{1, 10}});
  EXPECT_EQ(Observe(std::nullopt, {{1, 11}}).verdict, ResetVerdict::kNone);
  // The page before had no uptime: a lower wallclock now is not a restart by itself...
  EXPECT_EQ(Observe(100, {{1, 12}}).verdict, ResetVerdict::kNone);
  // ...but it is compared with the next one again.
  EXPECT_EQ(Observe(50, {{1, 13}}).verdict, ResetVerdict::kRestart);
}

TEST_F(ResetDetectorTest, NewAndVanishedCountersAreNoEvidence) {
  Observe(100, {{1, 10}, {2, 20}});
  EXPECT_EQ(Observe(200, {{1, 10}, {3, 0}}).verdict, ResetVerdict::kNone);
  // Counter 2 was forgotten while missing: coming back lower is not compared.
  EXPECT_EQ(Observe(300, {{1, 10}, {2, 5}, {3, 0}}).verdict, ResetVerdict::kNone);
}

TEST_F(ResetDetectorTest, ADuplicateIdentityIsNeverCompared) {
  Observe(100, {{1, 10}, {2, 50}, {2, 7}});
  EXPECT_EQ(detector_.stats().ambiguous, 2u);
  EXPECT_EQ(detector_.stats().counters_held, 1u);
  // Whichever of its values comes first, a duplicate is no evidence.
  EXPECT_EQ(Observe(200, {{1, 10}, {2, 7}, {2, 50}}).verdict, ResetVerdict::kNone);
  EXPECT_EQ(Observe(300, {{1, 10}, {2, 1}}).verdict, ResetVerdict::kNone);
  EXPECT_EQ(Observe(400, {{1, 10}, {2, 0}}).verdict, ResetVerdict::kMetricsReset);
}

TEST_F(ResetDetectorTest, AFlappingCounterIsAResetEachTimeItGoesDown) {
  // The documented choice: one counter going down is the evidence, whoever serves the page.
  Observe(100, {{1, 10}, {2, 1}});
  int resets = 0;
  for (int poll = 0; poll < 6; ++poll) {
    const uint64_t value = poll % 2 == 0 ? 9 : 10;
    if (Observe(200 + poll, {{1, value}, {2, 1}}).verdict == ResetVerdict::kMetricsReset) ++resets;
  }
  EXPECT_EQ(resets, 3);
}

TEST_F(ResetDetectorTest, HoldsAtMostTheCapAndCountsTheRest) {
  std::vector<CounterReading> page;
  for (uint64_t id = 1; id <= ResetDetector::kMaxCounters + 10; ++id) page.push_back({id, 100});
  Observe(100, page);
  EXPECT_EQ(detector_.stats().counters_held, ResetDetector::kMaxCounters);
  EXPECT_EQ(detector_.stats().over_cap, 10u);
  // A counter beyond the cap is not watched; one within is.
  page.back().value = 0;
  EXPECT_EQ(Observe(200, page).verdict, ResetVerdict::kNone);
  page.front().value = 0;
  EXPECT_EQ(Observe(300, page).verdict, ResetVerdict::kMetricsReset);
}

TEST_F(ResetDetectorTest, APageInAnotherOrderIsComparedByIdentity) {
  Observe(100, {{1, 10}, {2, 20}, {3, 30}});
  EXPECT_EQ(Observe(200, {{3, 31}, {1, 11}, {2, 21}}).verdict, ResetVerdict::kNone);
  const ResetCheck check = Observe(300, {{2, 21}, {3, 0}, {4, 0}, {1, 11}});
  EXPECT_EQ(check.verdict, ResetVerdict::kMetricsReset);
  EXPECT_EQ(check.evidence, "c3 31 -> 0");
  // Back to a stable order: compared position by position again.
  EXPECT_EQ(Observe(400, {{2, 22}, {3, 1}, {4, 1}, {1, 12}}).verdict, ResetVerdict::kNone);
  EXPECT_EQ(Observe(500, {{2, 22}, {3, 1}, {4, 0}, {1, 12}}).evidence, "c4 1 -> 0");
}

TEST_F(ResetDetectorTest, ComparesWithThePreviousPageOnly) {
  Observe(100, {{1, 10}});
  EXPECT_EQ(Observe(200, {{1, 0}}).verdict, ResetVerdict::kMetricsReset);
  EXPECT_EQ(Observe(300, {{1, 1}}).verdict, ResetVerdict::kNone);
}

TEST(ResetVerdictNames, AreTheCauseLabels) {
  EXPECT_EQ(ToString(ResetVerdict::kNone), "none");
  EXPECT_EQ(ToString(ResetVerdict::kRestart), "restart");
  EXPECT_EQ(ToString(ResetVerdict::kMetricsReset), "metrics_reset");
}

TEST_F(ResetDetectorTest, AnAdoptedBaselineJudgesTheNextPageAsTheObservedOneWould) {
  EXPECT_FALSE(detector_.Baseline());
  Observe(1000, {{1, 3}, {2, 40}, {2, 41}});
  const std::optional<ResetBaseline> baseline = detector_.Baseline();
  ASSERT_TRUE(baseline);
  ResetDetector restored;
  restored.Adopt(*baseline);
  EXPECT_EQ(restored.stats().counters_held, 1u);  // the two samples of id 2 are ambiguous
  EXPECT_EQ(restored.stats().ambiguous, 2u);
  const ResetCheck metrics_reset = restored.Observe(
      2000, std::vector<CounterReading>{{1, 2}, {3, 9}}, [](size_t) { return std::string("c"); });
  EXPECT_EQ(metrics_reset.verdict, ResetVerdict::kMetricsReset);
  ResetDetector restarted;
  restarted.Adopt(*baseline);
  EXPECT_EQ(restarted
                .Observe(500, std::vector<CounterReading>{{1, 5}},
                         [](size_t) { return std::string("c"); })
                .verdict,
            ResetVerdict::kRestart);
}

}  // namespace
}  // namespace vmq::window
