#ifndef VMQ_ALERTING_ALERT_SERIES_H_
#define VMQ_ALERTING_ALERT_SERIES_H_

// What an alert counts, per series of one target: the alert signal's evaluated output series
// over the alert window, summed the way the generated rules sum them (by node and
// mqtt_version), so that the exporter-side state sees the numbers Prometheus sees. It reads
// the evaluate stage's values and computes nothing of its own.

#include <compare>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "evaluate/values.h"

namespace vmq::alerting {

struct AlertSeries {
  std::string node;
  std::string mqtt_version;  // empty when the signal does not keep mqtt_version
  auto operator<=>(const AlertSeries&) const = default;
};

using SeriesCounts = std::map<AlertSeries, evaluate::Number>;

// Where each rule's numbers are in the evaluated values, resolved once from the config.
struct AlertPlan {
  struct Rule {
    std::optional<size_t> signal;  // index into Config::signals; none: no series
    bool keeps_version = false;
  };
  size_t window = 0;        // index of alerts.window in Config::windows
  std::vector<Rule> rules;  // in config order
};

AlertPlan PlanAlerts(const config::Config& config);

// The output series of one signal over window `window`, grouped by node and, when
// `keeps_version`, mqtt_version.
SeriesCounts CountSignal(const evaluate::SignalValues& values, size_t window, bool keeps_version);

// CountSignal for every rule of the plan, in rule order, over the alert window.
std::vector<SeriesCounts> CountAlertSignals(const AlertPlan& plan,
                                            const evaluate::TargetValues& values);

}  // namespace vmq::alerting

#endif  // VMQ_ALERTING_ALERT_SERIES_H_
