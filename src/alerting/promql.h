#ifndef VMQ_ALERTING_PROMQL_H_
#define VMQ_ALERTING_PROMQL_H_

// The PromQL of the generated rules. Each signal alert is NextLevel (alert_level.h) written
// in PromQL: the previous level comes from Prometheus' own ALERTS series, which holds the
// alert's state after the previous evaluation.

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "config/config.h"

namespace vmq::alerting::detail {

// One exporter is told apart by Prometheus' job and instance labels, so sidecars that all
// poll a target called 127.0.0.1:8888 never mix their counts or coverage.
inline constexpr char kTargetLabels[] = "job, instance, target";
inline constexpr char kSeriesLabels[] = "job, instance, target, node, mqtt_version";

// Three branches, one per way the alert of `alert` with `severity` is up after this
// evaluation: raised, the count above `raise` (whatever the coverage: the count is a lower
// bound); held, firing and the count above `hold`; held, firing and the window of the
// series' target partly covered (a lower bound at or below `hold` cannot clear it).
std::string HysteresisExpr(const std::string& signal, const std::string& window,
                           const std::string& alert, const std::string& severity, uint64_t raise,
                           uint64_t hold);
// The raised level of `rule` and, when critical_above is set, its critical level.
std::string RaisedExpr(const config::AlertRule& rule, const std::string& window);
std::string CriticalExpr(const config::AlertRule& rule, const std::string& window);

std::string TargetDownExpr();
// `threshold_seconds` is how old the last success may be at scrape time.
std::string StaleExpr(const std::string& threshold_seconds);
std::string NotVerneMQExpr(const std::string& range);

// "15", "2.4": seconds without trailing zeros, for thresholds in expressions and texts.
std::string FormatSeconds(Millis length);

}  // namespace vmq::alerting::detail

#endif  // VMQ_ALERTING_PROMQL_H_
