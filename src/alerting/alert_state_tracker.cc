#include "alerting/alert_state_tracker.h"

#include <utility>

namespace vmq::alerting {

AlertStateTracker::AlertStateTracker(const std::vector<config::AlertRule>& rules)
    : rules_(rules), levels_(rules.size()) {}

void AlertStateTracker::Evaluate(std::span<const SeriesCounts> counts, bool window_covered) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    std::map<AlertSeries, AlertLevel> next;
    if (i < counts.size()) {
      for (const auto& [series, count] : counts[i]) {
        const auto previous = levels_[i].find(series);
        const AlertLevel before = previous == levels_[i].end() ? AlertLevel::kOk : previous->second;
        next.emplace(series, NextLevel(rules_[i], before, count, window_covered));
      }
    }
    levels_[i] = std::move(next);
  }
}

void AlertStateTracker::Reset() {
  for (auto& levels : levels_) levels.clear();
}

void AlertStateTracker::AdoptLevels(const AlertStateTracker& previous) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    levels_[i].clear();
    for (size_t j = 0; j < previous.rules_.size(); ++j) {
      if (previous.rules_[j].alert == rules_[i].alert) levels_[i] = previous.levels_[j];
    }
  }
}

std::vector<AlertSeriesState> AlertStateTracker::States() const {
  std::vector<AlertSeriesState> states;
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (const auto& [series, level] : levels_[i]) {
      states.push_back({rules_[i].alert, series, level});
    }
  }
  return states;
}

void AlertStateTracker::Restore(std::span<const AlertSeriesState> states) {
  Reset();
  for (const AlertSeriesState& state : states) {
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].alert == state.alert) levels_[i][state.series] = state.level;
    }
  }
}

}  // namespace vmq::alerting
