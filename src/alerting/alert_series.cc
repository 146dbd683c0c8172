#include "alerting/alert_series.h"

#include <algorithm>

namespace vmq::alerting {

AlertPlan PlanAlerts(const config::Config& config) {
  AlertPlan plan;
  for (size_t w = 0; w < config.windows.size(); ++w) {
    if (config.windows[w].length == config.alerts.window.length) plan.window = w;
  }
  for (const config::AlertRule& rule : config.alerts.rules) {
    AlertPlan::Rule planned;
    // Config loading refuses a rule whose signal is not configured; a hand-built config
    // that does this anyway gets no series rather than undefined behaviour.
    const auto it =
        std::find_if(config.signals.begin(), config.signals.end(),
                     [&](const config::Signal& signal) { return signal.name == rule.signal; });
    if (it != config.signals.end()) {
      planned.signal = static_cast<size_t>(it - config.signals.begin());
      planned.keeps_version = std::find(it->keep_labels.begin(), it->keep_labels.end(),
                                        "mqtt_version") != it->keep_labels.end();
    }
    plan.rules.push_back(planned);
  }
  return plan;
}

SeriesCounts CountSignal(const evaluate::SignalValues& values, size_t window, bool keeps_version) {
  SeriesCounts counts;
  for (const evaluate::OutputSeries& series : values.series) {
    if (window >= series.values.size()) continue;
    AlertSeries group{std::string(signals::LabelValue(series.labels, "node")),
                      keeps_version
                          ? std::string(signals::LabelValue(series.labels, "mqtt_version"))
                          : std::string()};
    counts[std::move(group)] += series.values[window];
  }
  return counts;
}

std::vector<SeriesCounts> CountAlertSignals(const AlertPlan& plan,
                                            const evaluate::TargetValues& values) {
  std::vector<SeriesCounts> counts;
  counts.reserve(plan.rules.size());
  for (const AlertPlan::Rule& rule : plan.rules) {
    counts.push_back(
        rule.signal && *rule.signal < values.signals.size()
            ? CountSignal(values.signals[*rule.signal], plan.window, rule.keeps_version)
            : SeriesCounts());
  }
  return counts;
}

}  // namespace vmq::alerting
