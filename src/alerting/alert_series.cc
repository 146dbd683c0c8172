#include "alerting/alert_series.h"

#include <algorithm>

namespace vmq::alerting {
namespace {

bool Keeps(const config::Signal& signal, std::string_view label) {
  return std::find(signal.keep_labels.begin(), signal.keep_labels.end(), label) !=
         signal.keep_labels.end();
}

// Config loading refuses a rule whose signal is not configured; a hand-built config that
// does this anyway gets no series rather than undefined behaviour.
const config::Signal* SignalNamed(const config::Config& config, const std::string& name) {
  const auto it = std::find_if(config.signals.begin(), config.signals.end(),
                               [&](const config::Signal& signal) { return signal.name == name; });
  return it == config.signals.end() ? nullptr : &*it;
}

}  // namespace

SeriesCounts CountSignal(const config::Signal& signal,
                         const std::map<std::string, signals::RawSeries>& series,
                         const window::TargetHistory& history, Millis window, MonoTime now,
                         std::string_view page_node) {
  const bool keeps_version = Keeps(signal, "mqtt_version");
  SeriesCounts counts;
  for (const auto& [key, raw] : series) {
    if (!signals::Feeds(signal, raw)) continue;
    const std::string_view node = signals::LabelValue(raw.labels, "node");
    AlertSeries group{std::string(node.empty() ? page_node : node),
                      keeps_version ? std::string(signals::LabelValue(raw.labels, "mqtt_version"))
                                    : std::string()};
    counts[std::move(group)] += history.Increase(key, window, now);
  }
  return counts;
}

std::vector<SeriesCounts> CountAlertSignals(const config::Config& config,
                                            const std::map<std::string, signals::RawSeries>& series,
                                            const window::TargetHistory& history, MonoTime now,
                                            std::string_view page_node) {
  std::vector<SeriesCounts> counts;
  counts.reserve(config.alerts.rules.size());
  for (const config::AlertRule& rule : config.alerts.rules) {
    const config::Signal* signal = SignalNamed(config, rule.signal);
    counts.push_back(signal == nullptr ? SeriesCounts()
                                       : CountSignal(*signal, series, history,
                                                     config.alerts.window.length, now, page_node));
  }
  return counts;
}

}  // namespace vmq::alerting
