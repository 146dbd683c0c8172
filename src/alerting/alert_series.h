#ifndef VMQ_ALERTING_ALERT_SERIES_H_
#define VMQ_ALERTING_ALERT_SERIES_H_

// What an alert counts, per series of one target: the alert signal's count over the alert
// window, grouped the way the generated rules group it (sum by node and mqtt_version), so
// that the exporter-side state sees the same numbers Prometheus sees.

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "signals/selector.h"
#include "window/target_history.h"

namespace vmq::alerting {

struct AlertSeries {
  std::string node;
  std::string mqtt_version;  // empty when the signal does not keep mqtt_version
  auto operator<=>(const AlertSeries&) const = default;
};

using SeriesCounts = std::map<AlertSeries, uint64_t>;

// Counts of `signal` over `window` ending at `now`. Raw series that differ in labels other
// than node and a kept mqtt_version are added up. `page_node` names series without a node
// label, as the renderer does.
SeriesCounts CountSignal(const config::Signal& signal,
                         const std::map<std::string, signals::RawSeries>& series,
                         const window::TargetHistory& history, Millis window, MonoTime now,
                         std::string_view page_node);

// CountSignal for every rule of config.alerts, in rule order, over the alert window.
std::vector<SeriesCounts> CountAlertSignals(const config::Config& config,
                                            const std::map<std::string, signals::RawSeries>& series,
                                            const window::TargetHistory& history, MonoTime now,
                                            std::string_view page_node);

}  // namespace vmq::alerting

#endif  // VMQ_ALERTING_ALERT_SERIES_H_
