// Randomized checks of TargetHistory against two independent recomputations from the raw
// log: a replay of the documented rules without any pruning or indexing, and, where the
// rules can see everything (restarts always detectable, no hidden metrics resets), the true
// events the simulated node counted.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
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

// An increase observed by the poll at `units`; `placed` is where its span starts counting:
// the poll itself for a joined span, the previous successful poll for a gap span.
struct Attribution {
  int64_t units;
  int64_t placed;
  std::string series;
  uint64_t amount;
};

constexpr int64_t kNoFloor = std::numeric_limits<int64_t>::min();

// `floor`: only the polls after it are known, and the spans that start at it or later (a
// history imported from an image whose oldest record is there: a gap span that started
// before is placed nowhere).
uint64_t SumInWindow(const std::vector<Attribution>& attributions, const std::string& series,
                     int64_t window, int64_t now, int64_t floor = kNoFloor) {
  uint64_t sum = 0;
  for (auto a = attributions.rbegin(); a != attributions.rend() && a->units > now - window; ++a) {
    if (a->units <= now && a->placed > now - window && a->units > floor && a->placed >= floor &&
        a->series == series) {
      sum += a->amount;
    }
  }
  return sum;
}

// The gap rule's split: a span from the previous successful poll is joined when no poll failed
// between and it is at most max_gap long.
class Spans {
 public:
  // Where an increase observed by a successful poll at `units` is placed; then records it.
  int64_t Success(int64_t units) {
    const bool joined = have_success_ && !failed_since_ && units - last_success_ <= kMaxGapUnits;
    const int64_t placed = joined ? units : last_success_;
    have_success_ = true;
    failed_since_ = false;
    last_success_ = units;
    return placed;
  }
  void Failure() { failed_since_ = true; }

 private:
  bool have_success_ = false;
  bool failed_since_ = false;
  int64_t last_success_ = 0;
};

// The rules of target_history.h applied literally to the whole log, nothing ever dropped.
class RulesReplay {
 public:
  void Success(int64_t units, std::optional<uint64_t> uptime, const std::vector<Observation>& page,
               bool counters_reset) {
    if (!Accept(units)) return;
    const bool restart =
        (have_success_ && previous_uptime_ && uptime && *uptime < *previous_uptime_) ||
        counters_reset;
    const int64_t placed = spans_.Success(units);
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
      if (increase > 0) attributions_.push_back({units, placed, o.series, increase});
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
    if (!Accept(units)) return;
    failed_since_ = true;
    spans_.Failure();
  }

  uint64_t Increase(const std::string& series, int64_t window, int64_t now,
                    int64_t floor = kNoFloor) const {
    return SumInWindow(attributions_, series, window, now, floor);
  }

  double Coverage(int64_t window, int64_t now, int64_t floor = kNoFloor) const {
    const bool trailing = have_success_ && !failed_since_ && now - last_success_ <= kMaxGapUnits;
    int64_t covered = 0;
    for (int64_t u = now - window + 1; u <= now; ++u) {
      if (u <= floor) continue;
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
  Spans spans_;
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

  void Failure() { spans_.Failure(); }

  void Success(int64_t units, const std::vector<Observation>& page) {
    const uint64_t poll_seq = ++seq_;
    const int64_t placed = spans_.Success(units);
    for (const Observation& o : page) {
      const auto seen = last_seen_seq_.find(o.series);
      const uint64_t since =
          std::max(seen == last_seen_seq_.end() ? 0 : seen->second, last_restart_seq_);
      if (have_success_) {
        const uint64_t amount = EventsBetween(o.series, since, poll_seq);
        if (amount > 0) attributions_.push_back({units, placed, o.series, amount});
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
  Spans spans_;
};

struct Scenario {
  double restart_probability = 0.0;  // per time unit
  // Restarts only while the last successful poll saw a long uptime, and never more than a
  // few failures in a row, so that uptime always goes down across a restart.
  bool restarts_detectable = false;
  double metrics_reset_probability = 0.0;  // per time unit; invisible when counters grow past
  // The caller's reset detector reports every metrics reset (counters_reset).
  bool resets_reported = false;
  // Per poll: the history is replaced by one imported from its own image.
  double reimport_probability = 0.0;
  // At a third of the run, histories with a longer and a shorter window are imported from the
  // image and fed the same polls from then on.
  bool import_other_windows = false;
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

// A history imported from an image and fed the same polls since; it knows the polls after
// `floor` only.
struct Imported {
  std::vector<int64_t> windows;
  int64_t floor;
  TargetHistory history;
};

std::vector<Millis> LengthsOf(const std::vector<int64_t>& windows) {
  std::vector<Millis> lengths;
  for (const int64_t w : windows) lengths.push_back(LengthOf(w));
  return lengths;
}

TargetHistory Import(const std::vector<int64_t>& windows, const HistoryImage& image) {
  std::string error;
  std::optional<TargetHistory> history =
      TargetHistory::FromImage(LengthsOf(windows), LengthOf(kMaxGapUnits), image, &error);
  EXPECT_TRUE(history.has_value()) << error;
  if (!history) return TargetHistory(LengthsOf(windows), LengthOf(kMaxGapUnits));
  return std::move(*history);
}

int64_t FloorOf(const HistoryImage& image) {
  if (image.records.empty()) return kNoFloor;
  return (image.records.front().time - kStart) / LengthOf(1);
}

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
      if (scenario_.import_other_windows && imported_.empty() && step >= steps / 3) {
        const HistoryImage image = history_.Export();
        for (const std::vector<int64_t>& windows : kOtherWindows) {
          imported_.push_back({windows, FloorOf(image), Import(windows, image)});
        }
      }
      Poll(step);
      if (auto result = CheckQueries(step); !result) return result;
      if (Chance(scenario_.reimport_probability)) {
        if (auto result = Reimport(step); !result) return result;
      }
      next_poll = step + NextInterval();
    }
    return ::testing::AssertionSuccess();
  }

  HistoryStats stats() const { return history_.stats(); }
  uint64_t reimports() const { return reimports_; }

 private:
  inline static const std::vector<std::vector<int64_t>> kOtherWindows = {{50, 400}, {20, 50}};

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
      if (scenario_.resets_reported) {
        reset_pending_ = true;
        truth_.Restart();
      }
    }
    if (late_created_ < kLateSeries.size() && Chance(0.01)) {
      counters_[kLateSeries[late_created_++]] = 0;
    }
    for (auto& [series, value] : counters_) {
      if (!Chance(0.3)) continue;
      const auto amount = static_cast<uint64_t>(Amount());
      value += amount;
      truth_.Event(series, amount);
    }
  }

  // Mostly small, sometimes of other sizes, so that the history's coder meets every scale
  // (never so large that a counter could wrap within a run).
  int64_t Amount() {
    if (Chance(0.05)) return Uniform(1, int64_t{1} << 40);
    if (Chance(0.15)) return Uniform(100, 20000);
    return Uniform(1, 5);
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
      for (Imported& other : imported_) other.history.RecordFailure(TimeOf(step));
      replay_.Failure(step);
      truth_.Failure();
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
    const bool reset = reset_pending_;
    reset_pending_ = false;
    history_.RecordSuccess(TimeOf(step), uptime, page, reset);
    for (Imported& other : imported_)
      other.history.RecordSuccess(TimeOf(step), uptime, page, reset);
    replay_.Success(step, uptime, page, reset);
    truth_.Success(step, page);
    last_success_ = step;
  }

  void RecordStalePage(int64_t step) {
    const std::vector<Observation> page = {{"a", 0}, {"b", 1'000'000}};
    history_.RecordSuccess(TimeOf(step), 1, page);
    for (Imported& other : imported_) other.history.RecordSuccess(TimeOf(step), 1, page);
    replay_.Success(step, 1, page, false);
  }

  // The history is replaced by one imported from its own image, which must answer every
  // query as it did.
  ::testing::AssertionResult Reimport(int64_t step) {
    TargetHistory imported = Import(kWindowUnits, history_.Export());
    for (const int64_t now : {step, step + Uniform(0, 40), step - Uniform(0, kMaxGapUnits)}) {
      for (const int64_t window : {kWindowUnits[0], int64_t{120}, kWindowUnits[1]}) {
        const Millis length = LengthOf(window);
        if (imported.Coverage(length, TimeOf(now)) != history_.Coverage(length, TimeOf(now))) {
          return ::testing::AssertionFailure() << "imported Coverage(" << window << ", now=" << now
                                               << ") differs at step " << step;
        }
        for (const std::string& series : AllSeries()) {
          const uint64_t expected = history_.Increase(series, length, TimeOf(now));
          const uint64_t actual = imported.Increase(series, length, TimeOf(now));
          if (actual != expected) {
            return ::testing::AssertionFailure()
                   << "imported Increase(" << series << ", " << window << ", now=" << now
                   << ") = " << actual << ", the exported history says " << expected;
          }
        }
      }
    }
    if (imported.series_count() != history_.series_count()) {
      return ::testing::AssertionFailure() << "imported series count differs";
    }
    history_ = std::move(imported);
    ++reimports_;
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult CheckQueries(int64_t step) {
    for (const int64_t now : {step, step + Uniform(0, 40)}) {
      for (const int64_t window : kWindowUnits) {
        if (auto result = CheckCoverage(history_, window, now, kNoFloor); !result) return result;
        for (const std::string& series : AllSeries()) {
          if (auto result = CheckIncrease(series, window, now); !result) return result;
        }
      }
      for (const Imported& other : imported_) {
        for (const int64_t window : other.windows) {
          if (auto result = CheckCoverage(other.history, window, now, other.floor); !result) {
            return result;
          }
          for (const std::string& series : AllSeries()) {
            const uint64_t actual = other.history.Increase(series, LengthOf(window), TimeOf(now));
            const uint64_t replayed = replay_.Increase(series, window, now, other.floor);
            if (actual != replayed) {
              return ::testing::AssertionFailure()
                     << "imported with windows " << other.windows[0] << "," << other.windows[1]
                     << ": Increase(" << series << ", " << window << ", now=" << now
                     << ") = " << actual << ", replay since " << other.floor << " says "
                     << replayed;
            }
          }
        }
      }
    }
    if (scenario_.check_other_queries) return CheckOtherQueries(step);
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult CheckOtherQueries(int64_t step) {
    constexpr int64_t kUndeclaredWindow = 120;
    const int64_t later = step + Uniform(0, 40);
    if (auto result = CheckCoverage(history_, kUndeclaredWindow, later, kNoFloor); !result) {
      return result;
    }
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

  ::testing::AssertionResult CheckCoverage(const TargetHistory& history, int64_t window,
                                           int64_t now, int64_t floor) const {
    const double actual = history.Coverage(LengthOf(window), TimeOf(now));
    const double replayed = replay_.Coverage(window, now, floor);
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
  TargetHistory history_{LengthsOf(kWindowUnits), LengthOf(kMaxGapUnits)};
  std::vector<Imported> imported_;
  RulesReplay replay_;
  TrueEvents truth_;
  std::map<std::string, uint64_t> counters_;
  size_t late_created_ = 0;
  int64_t node_start_ = -36'000;  // up for an hour when the exporter starts
  int64_t last_success_ = 0;
  bool reset_pending_ = false;
  uint64_t reimports_ = 0;
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
  scenario.reimport_probability = 0.02;
  scenario.import_other_windows = true;
  HistoryStats exercised;
  uint64_t reimports = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulation simulation(scenario, seed);
    ASSERT_TRUE(simulation.Run(kSteps)) << "seed " << seed;
    exercised.restarts_detected += simulation.stats().restarts_detected;
    exercised.counter_resets += simulation.stats().counter_resets;
    exercised.out_of_order_records += simulation.stats().out_of_order_records;
    reimports += simulation.reimports();
  }
  EXPECT_GT(reimports, 0u);
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
  scenario.reimport_probability = 0.02;
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

// A reset detector that reports every `vmq-admin metrics reset`: then even a reset whose
// counters grew past their old values before the next poll is counted exactly.
TEST(TargetHistoryProperty, CountsExactlyTheTrueEventsWhenRestartsAndResetsAreReported) {
  Scenario scenario;
  scenario.restart_probability = 0.003;
  scenario.restarts_detectable = true;
  scenario.metrics_reset_probability = 0.003;
  scenario.resets_reported = true;
  scenario.failure_probability = 0.15;
  scenario.missing_series_probability = 0.1;
  scenario.check_true_events = true;
  scenario.reimport_probability = 0.02;
  uint64_t resets = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulation simulation(scenario, seed);
    ASSERT_TRUE(simulation.Run(kSteps)) << "seed " << seed;
    resets += simulation.stats().counter_resets;
  }
  EXPECT_GT(resets, 0u);
}

}  // namespace
}  // namespace vmq::window
