// The hysteresis of one alert on one series, and the tracker that keeps it per series.

#include "alerting/alert_level.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

#include "alerting/alert_state_tracker.h"

namespace vmq::alerting {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

config::AlertRule Netdata() {  // raise above 5, hold above 0
  config::AlertRule rule;
  rule.alert = "A";
  rule.signal = "s";
  return rule;
}

config::AlertRule WithCritical(uint64_t critical_above) {
  config::AlertRule rule = Netdata();
  rule.critical_above = critical_above;
  return rule;
}

// Feeds `counts` one evaluation after the other, from ok, with the window covered or not.
std::vector<AlertLevel> Levels(const config::AlertRule& rule,
                               std::initializer_list<uint64_t> counts, bool covered = true) {
  std::vector<AlertLevel> levels;
  AlertLevel level = AlertLevel::kOk;
  for (uint64_t count : counts) {
    level = NextLevel(rule, level, count, covered);
    levels.push_back(level);
  }
  return levels;
}

constexpr AlertLevel kOk = AlertLevel::kOk;
constexpr AlertLevel kRaised = AlertLevel::kRaised;
constexpr AlertLevel kCritical = AlertLevel::kCritical;

TEST(NextLevel, StaysOkAtExactlyTheRaiseThreshold) {
  EXPECT_THAT(Levels(Netdata(), {5, 5, 5}), ElementsAre(kOk, kOk, kOk));
}

TEST(NextLevel, RaisesAboveTheRaiseThreshold) {
  EXPECT_THAT(Levels(Netdata(), {5, 6}), ElementsAre(kOk, kRaised));
}

TEST(NextLevel, HoldsWhileAboveHoldAndClearsAtHold) {
  EXPECT_THAT(Levels(Netdata(), {6, 3, 1, 0}), ElementsAre(kRaised, kRaised, kRaised, kOk));
}

TEST(NextLevel, DoesNotRaiseBetweenHoldAndRaiseFromOk) {
  EXPECT_THAT(Levels(Netdata(), {1, 4, 5}), ElementsAre(kOk, kOk, kOk));
}

TEST(NextLevel, NeedsToExceedRaiseAgainAfterClearing) {
  EXPECT_THAT(Levels(Netdata(), {6, 0, 3, 6}), ElementsAre(kRaised, kOk, kOk, kRaised));
}

TEST(NextLevel, HoldEqualToRaiseMeansNoHysteresis) {
  config::AlertRule rule = Netdata();
  rule.hold_above = 5;
  EXPECT_THAT(Levels(rule, {6, 5, 6}), ElementsAre(kRaised, kOk, kRaised));
}

// A partly covered window's count is a lower bound: above the threshold it is certain.
TEST(NextLevel, RaisesOnAPartlyCoveredWindowAboveTheThreshold) {
  EXPECT_THAT(Levels(Netdata(), {5, 6}, /*covered=*/false), ElementsAre(kOk, kRaised));
  EXPECT_THAT(Levels(Netdata(), {100}, /*covered=*/false), ElementsAre(kRaised));
}

TEST(NextLevel, DoesNotRaiseOnAPartlyCoveredWindowAtOrBelowTheThreshold) {
  EXPECT_THAT(Levels(Netdata(), {0, 3, 5, 5}, /*covered=*/false), ElementsAre(kOk, kOk, kOk, kOk));
}

TEST(NextLevel, HoldsThroughAPartlyCoveredWindowAboveHold) {
  EXPECT_EQ(NextLevel(Netdata(), kRaised, 2, /*window_covered=*/false), kRaised);
}

// At or below hold_above a lower bound says nothing about the unobserved part of the window.
TEST(NextLevel, APartlyCoveredWindowNeverClears) {
  EXPECT_EQ(NextLevel(Netdata(), kRaised, 0, /*window_covered=*/false), kRaised);
  EXPECT_EQ(NextLevel(Netdata(), kRaised, 0, /*window_covered=*/true), kOk);
}

TEST(NextLevel, NeverCriticalWithoutCriticalAbove) {
  EXPECT_THAT(Levels(Netdata(), {1000000}), ElementsAre(kRaised));
}

TEST(NextLevel, CriticalAboveCriticalThreshold) {
  EXPECT_THAT(Levels(WithCritical(10), {10, 11}), ElementsAre(kRaised, kCritical));
}

TEST(NextLevel, JumpsFromOkStraightToCritical) {
  EXPECT_THAT(Levels(WithCritical(10), {11}), ElementsAre(kCritical));
}

TEST(NextLevel, CriticalHoldsAboveRaiseThenFallsBackToRaised) {
  EXPECT_THAT(Levels(WithCritical(10), {11, 8, 6, 5, 1, 0}),
              ElementsAre(kCritical, kCritical, kCritical, kRaised, kRaised, kOk));
}

TEST(NextLevel, CriticalIsRaisedOnAPartlyCoveredWindow) {
  EXPECT_EQ(NextLevel(WithCritical(10), kOk, 11, /*window_covered=*/false), kCritical);
  EXPECT_EQ(NextLevel(WithCritical(10), kRaised, 10, /*window_covered=*/false), kRaised);
}

TEST(NextLevel, APartlyCoveredWindowNeverLowersCritical) {
  EXPECT_EQ(NextLevel(WithCritical(10), kCritical, 3, /*window_covered=*/false), kCritical);
  EXPECT_EQ(NextLevel(WithCritical(10), kCritical, 0, /*window_covered=*/false), kCritical);
  EXPECT_EQ(NextLevel(WithCritical(10), kCritical, 3, /*window_covered=*/true), kRaised);
  EXPECT_EQ(NextLevel(WithCritical(10), kCritical, 0, /*window_covered=*/true), kOk);
}

// Two rules: A (raise above 5, hold above 0) and B (raise above 1, hold above 1).
std::vector<config::AlertRule> TwoRules() {
  config::AlertRule b = Netdata();
  b.alert = "B";
  b.raise_above = 1;
  b.hold_above = 1;
  return {Netdata(), b};
}

class AlertStateTrackerTest : public ::testing::Test {
 protected:
  using Counts = std::map<AlertSeries, uint64_t>;

  void Evaluate(const Counts& a, const Counts& b, bool covered = true) {
    const std::vector<SeriesCounts> counts = {AsNumbers(a), AsNumbers(b)};
    tracker_.Evaluate(counts, covered);
  }

  static SeriesCounts AsNumbers(const Counts& counts) {
    SeriesCounts numbers;
    for (const auto& [series, count] : counts) numbers[series] = evaluate::Number::Count(count);
    return numbers;
  }

  AlertLevel LevelOf(const std::string& alert, const AlertSeries& series) const {
    for (const AlertSeriesState& state : tracker_.States()) {
      if (state.alert == alert && state.series == series) return state.level;
    }
    ADD_FAILURE() << "no state for " << alert << " " << series.node << "/" << series.mqtt_version;
    return kOk;
  }

  const std::vector<config::AlertRule> rules_ = TwoRules();
  AlertStateTracker tracker_{rules_};
};

const AlertSeries kNodeA4{"VerneMQ@a", "4"};
const AlertSeries kNodeA5{"VerneMQ@a", "5"};
const AlertSeries kNodeB4{"VerneMQ@b", "4"};

TEST_F(AlertStateTrackerTest, StartsWithNoStates) { EXPECT_THAT(tracker_.States(), IsEmpty()); }

TEST_F(AlertStateTrackerTest, PublishesOkForEverySeriesCounted) {
  Evaluate({{kNodeA4, 0}, {kNodeA5, 0}}, {{kNodeA5, 0}});
  EXPECT_THAT(tracker_.States(), ElementsAre(Field(&AlertSeriesState::level, kOk),
                                             Field(&AlertSeriesState::level, kOk),
                                             Field(&AlertSeriesState::level, kOk)));
}

TEST_F(AlertStateTrackerTest, ListsRulesInConfigOrderAndSeriesInLabelOrder) {
  Evaluate({{kNodeB4, 0}, {kNodeA5, 0}, {kNodeA4, 0}}, {{kNodeA4, 0}});
  std::vector<std::string> order;
  for (const AlertSeriesState& state : tracker_.States()) {
    order.push_back(state.alert + " " + state.series.node + " " + state.series.mqtt_version);
  }
  EXPECT_THAT(order,
              ElementsAre("A VerneMQ@a 4", "A VerneMQ@a 5", "A VerneMQ@b 4", "B VerneMQ@a 4"));
}

TEST_F(AlertStateTrackerTest, KeepsNodesAndVersionsIndependent) {
  Evaluate({{kNodeA4, 6}, {kNodeA5, 3}, {kNodeB4, 5}}, {});
  EXPECT_EQ(LevelOf("A", kNodeA4), kRaised);
  EXPECT_EQ(LevelOf("A", kNodeA5), kOk);
  EXPECT_EQ(LevelOf("A", kNodeB4), kOk);
  // The raised series holds at 1; the others, never raised, stay ok at the same count.
  Evaluate({{kNodeA4, 1}, {kNodeA5, 1}, {kNodeB4, 1}}, {});
  EXPECT_EQ(LevelOf("A", kNodeA4), kRaised);
  EXPECT_EQ(LevelOf("A", kNodeA5), kOk);
  EXPECT_EQ(LevelOf("A", kNodeB4), kOk);
}

TEST_F(AlertStateTrackerTest, KeepsRulesIndependent) {
  Evaluate({{kNodeA5, 2}}, {{kNodeA5, 2}});
  EXPECT_EQ(LevelOf("A", kNodeA5), kOk);
  EXPECT_EQ(LevelOf("B", kNodeA5), kRaised);
}

TEST_F(AlertStateTrackerTest, FiresAtSixHoldsAtOneClearsAtZero) {
  Evaluate({{kNodeA4, 5}}, {});
  EXPECT_EQ(LevelOf("A", kNodeA4), kOk);
  Evaluate({{kNodeA4, 6}}, {});
  EXPECT_EQ(LevelOf("A", kNodeA4), kRaised);
  Evaluate({{kNodeA4, 1}}, {});
  EXPECT_EQ(LevelOf("A", kNodeA4), kRaised);
  Evaluate({{kNodeA4, 0}}, {});
  EXPECT_EQ(LevelOf("A", kNodeA4), kOk);
}

TEST_F(AlertStateTrackerTest, RaisesOnAPartlyCoveredWindowAndClearsOnlyOnACoveredOne) {
  Evaluate({{kNodeA4, 5}, {kNodeB4, 9}}, {}, /*covered=*/false);
  EXPECT_EQ(LevelOf("A", kNodeA4), kOk);
  EXPECT_EQ(LevelOf("A", kNodeB4), kRaised);
  Evaluate({{kNodeA4, 5}, {kNodeB4, 0}}, {}, /*covered=*/false);
  EXPECT_EQ(LevelOf("A", kNodeA4), kOk);
  EXPECT_EQ(LevelOf("A", kNodeB4), kRaised);
  Evaluate({{kNodeA4, 5}, {kNodeB4, 0}}, {}, /*covered=*/true);
  EXPECT_EQ(LevelOf("A", kNodeA4), kOk);
  EXPECT_EQ(LevelOf("A", kNodeB4), kOk);
}

TEST_F(AlertStateTrackerTest, ForgetsASeriesThatIsNoLongerCounted) {
  Evaluate({{kNodeA4, 6}, {kNodeA5, 0}}, {});
  Evaluate({{kNodeA5, 0}}, {});
  EXPECT_EQ(tracker_.States().size(), 1u);
  Evaluate({{kNodeA4, 3}, {kNodeA5, 0}}, {});
  EXPECT_EQ(LevelOf("A", kNodeA4), kOk);
}

TEST_F(AlertStateTrackerTest, ResetForgetsEveryLevel) {
  Evaluate({{kNodeA4, 6}}, {{kNodeA4, 6}});
  tracker_.Reset();
  EXPECT_THAT(tracker_.States(), IsEmpty());
  // After a failed poll a raised alert is not held: it must be raised again.
  Evaluate({{kNodeA4, 3}}, {{kNodeA4, 1}});
  EXPECT_EQ(LevelOf("A", kNodeA4), kOk);
  EXPECT_EQ(LevelOf("B", kNodeA4), kOk);
}

}  // namespace
}  // namespace vmq::alerting
