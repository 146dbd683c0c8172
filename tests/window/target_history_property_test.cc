// Randomized checks of TargetHistory against two independent recomputations from the raw
// log: a replay of the documented rules without any pruning or indexing, and, where the
// rules can see everything (restarts always detectable, no hidden metrics resets), the true
// events the simulated node counted.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "window/target_history.h"

namespace vmq::window {
namespace {

// Simulated time advances in units of 100 ms so that coverage can be counted unit by unit.
constexpr int64_t kUnitMs = 100;
constexpr int64_t kMaxGapUnits = 25;
const std::vector<int64_t> kWindowUnits = {50, 200};
const MonoTime kStart{std::chrono::hours(1000)};

MonoTime TimeOf(int64_t units) { return kStart + Millis(units * kUnitMs); }
Millis LengthOf(int64_t units) { return Millis(units * kUnitMs); }

struct Attribution {
  int64_t units;
  std::string series;
  uint64_t amount;
};

uint64_t SumInWindow(const std::vector<Attribution>& attributions, const std::string& series,
                     int64_t window, int64_t now) {
  uint64_t sum = 0;
  for (auto a = attributions.rbegin(); a != attributions.rend() && a->units > now - window; ++a) {
    if (a->units <= now && a->series == series) sum += a->amount;
  }
  return sum;
}

// The rules of target_history.h applied literally to the whole log, nothing ever dropped.
class RulesReplay {
 public:
  void Success(int64_t units, std::optional<uint64_t> uptime,
               const std::vector<Observation>& page) {
    if (!Accept(units)) return;
    const bool restart = have_success_ && previous_uptime_ && uptime && *uptime < *previous_uptime_;
    std::set<std::string> seen;
    for (const Observation& o : page) {
      uint64_t increase = 0;
      const auto last = last_.find(o.series);
      if (last == last_.end()) {
        increase = have_success_ ? o.value : 0;
      } else if (restart || o.value < last->second) {
        increase = o.value;
      } else {
        increase = o.value - last->second;
      }
      if (increase > 0) attributions_.push_back({units, o.series, increase});
      last_[o.series] = o.value;
      seen.insert(o.series);
    }
    if (restart) {
      for (auto& [series, value] : last_) {
        if (!seen.contains(series)) value = 0;
      }
    }
    if (have_success_ && !failed_since_ && units - last_success_ <= kMaxGapUnits) {
      for (int64_t u = last_success_ + 1; u <= units; ++u) covered_units_.insert(u);
    }
    have_success_ = true;
    failed_since_ = false;
    last_success_ = units;
    previous_uptime_ = uptime;
  }

  void Failure(int64_t units) {
    if (Accept(units)) failed_since_ = true;
  }

  uint64_t Increase(const std::string& series, int64_t window, int64_t now) const {
    return SumInWindow(attributions_, series, window, now);
  }

  double Coverage(int64_t window, int64_t now) const {
    const bool trailing = have_success_ && !failed_since_ && now - last_success_ <= kMaxGapUnits;
    int64_t covered = 0;
    for (int64_t u = now - window + 1; u <= now; ++u) {
      if (covered_units_.contains(u) || (trailing && u > last_success_)) ++covered;
    }
    return static_cast<double>(covered) / static_cast<double>(window);
  }

 private:
  bool Accept(int64_t units) {
    if (latest_ && units < *latest_) return false;
    latest_ = units;
    return true;
  }

  std::optional<int64_t> latest_;
  bool have_success_ = false;
  bool failed_since_ = false;
  int64_t last_success_ = 0;
  std::optional<uint64_t> previous_uptime_;
  std::map<std::string, uint64_t> last_;
  std::vector<Attribution> attributions_;
  std::set<int64_t> covered_units_;
};

// What really happened on the node, ordered by a global sequence number: each successful
// poll is credited with the events of each series it saw since the previous poll that saw
// that series, or since the last restart if one came in between.
class TrueEvents {
 public:
  void Event(const std::string& series, uint64_t amount) {
    events_[series].push_back({++seq_, amount});
  }
  void Restart() { last_restart_seq_ = ++seq_; }

  void Success(int64_t units, const std::vector<Observation>& page) {
    const uint64_t poll_seq = ++seq_;
    for (const Observation& o : page) {
      const auto seen = last_seen_seq_.find(o.series);
      const uint64_t since =
          std::max(seen == last_seen_seq_.end() ? 0 : seen->second, last_restart_seq_);
      if (have_success_) {
        const uint64_t amount = EventsBetween(o.series, since, poll_seq);
        if (amount > 0) attributions_.push_back({units, o.series, amount});
      }
      last_seen_seq_[o.series] = poll_seq;
    }
    have_success_ = true;
  }

  uint64_t Increase(const std::string& series, int64_t window, int64_t now) const {
    return SumInWindow(attributions_, series, window, now);
  }

 private:
  struct CountedEvent {
    uint64_t seq;
    uint64_t amount;
  };

  uint64_t EventsBetween(const std::string& series, uint64_t after, uint64_t before) const {
    uint64_t sum = 0;
    const auto events = events_.find(series);
    if (events == events_.end()) return 0;
    for (const CountedEvent& e : events->second) {
      if (e.seq > after && e.seq < before) sum += e.amount;
    }
    return sum;
  }

  uint64_t seq_ = 0;
  uint64_t last_restart_seq_ = 0;
  bool have_success_ = false;
  std::map<std::string, std::vector<CountedEvent>> events_;
  std::map<std::string, uint64_t> last_seen_seq_;
  std::vector<Attribution> attributions_;
};

struct Scenario {
  double restart_probability = 0.0;  // per time unit
  // Restarts only while the last successful poll saw a long uptime, and never more than a
  // few failures in a row, so that uptime always goes down across a restart.
  bool restarts_detectable = false;
  double metrics_reset_probability = 0.0;  // per time unit; invisible when counters grow past
  double missing_uptime_probability = 0.0;
  double failure_probability = 0.0;
  double missing_series_probability = 0.0;
  double out_of_order_probability = 0.0;
  bool check_true_events = false;
  // Also queries the running sums cannot answer: an undeclared window, a `now` up to max_gap
  // before the latest record.
  bool check_other_queries = false;
};

const std::vector<std::string> kInitialSeries = {"a", "b", "c", "d"};
const std::vector<std::string> kLateSeries = {"late1", "late2"};

class Simulation {
 public:
  Simulation(const Scenario& scenario, uint64_t seed) : scenario_(scenario), random_(seed) {
    for (const std::string& s : kInitialSeries) counters_[s] = 0;
  }

  ::testing::AssertionResult Run(int64_t steps) {
    int64_t next_poll = 1;
    for (int64_t step = 1; step <= steps; ++step) {
      AdvanceNode(step);
      if (step != next_poll) continue;
      Poll(step);
      if (auto result = CheckQueries(step); !result) return result;
      next_poll = step + NextInterval();
    }
    return ::testing::AssertionSuccess();
  }

  HistoryStats stats() const { return history_.stats(); }

 private:
  bool Chance(double p) { return std::bernoulli_distribution(p)(random_); }
  int64_t Uniform(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random_);
  }

  void AdvanceNode(int64_t step) {
    if (Chance(scenario_.restart_probability) && RestartAllowed()) {
      for (auto& [series, value] : counters_) value = 0;
      node_start_ = step;
      truth_.Restart();
    }
    if (Chance(scenario_.metrics_reset_probability)) {
      for (auto& [series, value] : counters_) value = 0;
    }
    if (late_created_ < kLateSeries.size() && Chance(0.01)) {
      counters_[kLateSeries[late_created_++]] = 0;
    }
    for (auto& [series, value] : counters_) {
      if (!Chance(0.3)) continue;
      const auto amount = static_cast<uint64_t>(Uniform(1, 5));
      value += amount;
      truth_.Event(series, amount);
    }
  }

  // Mostly on time with jitter, sometimes late but within max_gap, sometimes beyond it.
  int64_t NextInterval() {
    if (Chance(0.05)) return kMaxGapUnits + Uniform(1, 10);
    if (Chance(0.15)) return Uniform(15, kMaxGapUnits);
    return Uniform(6, 14);
  }

  bool RestartAllowed() const {
    return !scenario_.restarts_detectable || last_success_ - node_start_ >= 600;
  }

  void Poll(int64_t step) {
    const bool forced = scenario_.restarts_detectable && step - last_success_ >= 300;
    if (!forced && Chance(scenario_.failure_probability)) {
      history_.RecordFailure(TimeOf(step));
      replay_.Failure(step);
    } else {
      RecordPage(step);
    }
    if (Chance(scenario_.out_of_order_probability)) RecordStalePage(step - Uniform(1, 5));
  }

  void RecordPage(int64_t step) {
    std::vector<Observation> page;
    for (const auto& [series, value] : counters_) {
      if (!Chance(scenario_.missing_series_probability)) page.push_back({series, value});
    }
    std::shuffle(page.begin(), page.end(), random_);
    std::optional<uint64_t> uptime;
    if (!Chance(scenario_.missing_uptime_probability)) {
      uptime = static_cast<uint64_t>((step - node_start_) * kUnitMs);
    }
    history_.RecordSuccess(TimeOf(step), uptime, page);
    replay_.Success(step, uptime, page);
    truth_.Success(step, page);
    last_success_ = step;
  }

  void RecordStalePage(int64_t step) {
    const std::vector<Observation> page = {{"a", 0}, {"b", 1'000'000}};
    history_.RecordSuccess(TimeOf(step), 1, page);
    replay_.Success(step, 1, page);
  }

  ::testing::AssertionResult CheckQueries(int64_t step) {
    for (const int64_t now : {step, step + Uniform(0, 40)}) {
      for (const int64_t window : kWindowUnits) {
        if (auto result = CheckCoverage(window, now); !result) return result;
        for (const std::string& series : AllSeries()) {
          if (auto result = CheckIncrease(series, window, now); !result) return result;
        }
      }
    }
    if (scenario_.check_other_queries) return CheckOtherQueries(step);
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult CheckOtherQueries(int64_t step) {
    constexpr int64_t kUndeclaredWindow = 120;
    const int64_t later = step + Uniform(0, 40);
    if (auto result = CheckCoverage(kUndeclaredWindow, later); !result) return result;
    const int64_t earlier = step - Uniform(0, kMaxGapUnits);
    for (const int64_t window : {kWindowUnits[0], kUndeclaredWindow, kWindowUnits[1]}) {
      for (const std::string& series : AllSeries()) {
        if (auto result = CheckIncrease(series, window, later); !result) return result;
        if (auto result = CheckIncrease(series, window, earlier); !result) return result;
      }
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult CheckIncrease(const std::string& series, int64_t window,
                                           int64_t now) const {
    const uint64_t actual = history_.Increase(series, LengthOf(window), TimeOf(now));
    const uint64_t replayed = replay_.Increase(series, window, now);
    if (actual != replayed) {
      return ::testing::AssertionFailure()
             << "Increase(" << series << ", " << window << ", now=" << now << ") = " << actual
             << ", replay says " << replayed;
    }
    if (!scenario_.check_true_events) return ::testing::AssertionSuccess();
    const uint64_t truth = truth_.Increase(series, window, now);
    if (actual != truth) {
      return ::testing::AssertionFailure()
             << "Increase(" << series << ", " << window << ", now=" << now << ") = " << actual
             << ", true events say " << truth;
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult CheckCoverage(int64_t window, int64_t now) const {
    const double actual = history_.Coverage(LengthOf(window), TimeOf(now));
    const double replayed = replay_.Coverage(window, now);
    if (actual != replayed) {
      return ::testing::AssertionFailure() << "Coverage(" << window << ", now=" << now
                                           << ") = " << actual << ", replay says " << replayed;
    }
    return ::testing::AssertionSuccess();
  }

  std::vector<std::string> AllSeries() const {
    std::vector<std::string> all = kInitialSeries;
    all.insert(all.end(), kLateSeries.begin(), kLateSeries.end());
    all.push_back("never-seen");
    return all;
  }

  Scenario scenario_;
  std::mt19937_64 random_;
  TargetHistory history_{{LengthOf(kWindowUnits[0]), LengthOf(kWindowUnits[1])},
                         LengthOf(kMaxGapUnits)};
  RulesReplay replay_;
  TrueEvents truth_;
  std::map<std::string, uint64_t> counters_;
  size_t late_created_ = 0;
  int64_t node_start_ = -36'000;  // up for an hour when the exporter starts
  int64_t last_success_ = 0;
};

constexpr int64_t kSteps = 6'000;  // 10 minutes, about 600 polls, 30 times the longest window
constexpr uint64_t kSeeds = 20;

TEST(TargetHistoryProperty, MatchesReplayOfTheRulesUnderFailuresRestartsAndResets) {
  Scenario scenario;
  scenario.restart_probability = 0.003;
  scenario.metrics_reset_probability = 0.002;
  scenario.missing_uptime_probability = 0.05;
  scenario.failure_probability = 0.15;
  scenario.missing_series_probability = 0.1;
  scenario.out_of_order_probability = 0.03;
  HistoryStats exercised;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulation simulation(scenario, seed);
    ASSERT_TRUE(simulation.Run(kSteps)) << "seed " << seed;
    exercised.restarts_detected += simulation.stats().restarts_detected;
    exercised.counter_resets += simulation.stats().counter_resets;
    exercised.out_of_order_records += simulation.stats().out_of_order_records;
  }
  EXPECT_GT(exercised.restarts_detected, 0u);
  EXPECT_GT(exercised.counter_resets, 0u);
  EXPECT_GT(exercised.out_of_order_records, 0u);
}

TEST(TargetHistoryProperty, UndeclaredWindowsAndEarlierNowMatchReplayOfTheRules) {
  Scenario scenario;
  scenario.restart_probability = 0.003;
  scenario.metrics_reset_probability = 0.002;
  scenario.missing_uptime_probability = 0.05;
  scenario.failure_probability = 0.15;
  scenario.missing_series_probability = 0.1;
  scenario.out_of_order_probability = 0.03;
  scenario.check_other_queries = true;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulation simulation(scenario, seed);
    ASSERT_TRUE(simulation.Run(kSteps)) << "seed " << seed;
  }
}

TEST(TargetHistoryProperty, CountsExactlyTheTrueEventsWhenRestartsAreDetectable) {
  Scenario scenario;
  scenario.restart_probability = 0.003;
  scenario.restarts_detectable = true;
  scenario.failure_probability = 0.15;
  scenario.missing_series_probability = 0.1;
  scenario.check_true_events = true;
  uint64_t restarts = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulation simulation(scenario, seed);
    ASSERT_TRUE(simulation.Run(kSteps)) << "seed " << seed;
    EXPECT_EQ(simulation.stats().counter_resets, 0u) << "seed " << seed;
    restarts += simulation.stats().restarts_detected;
  }
  EXPECT_GT(restarts, 0u);
}

}  // namespace
}  // namespace vmq::window
