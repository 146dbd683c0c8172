#ifndef VMQ_ALERTING_ALERT_LEVEL_H_
#define VMQ_ALERTING_ALERT_LEVEL_H_

// The hysteresis of one alert on one series, shared by the exporter's vmq_alert_state and
// (as PromQL, see promql.h) the generated Prometheus rules. It mirrors Netdata's
// `warn: $this > (($status >= $WARNING) ? (hold) : (raise))`, plus the exporter's rule that a
// count is only trusted to raise an alert when polls cover the whole window.

#include <cstdint>

#include "config/config.h"
#include "evaluate/values.h"

namespace vmq::alerting {

// The value of vmq_alert_state.
enum class AlertLevel : int {
  kOk = 0,
  kRaised = 1,    // at the rule's severity (warning unless configured otherwise)
  kCritical = 2,  // above critical_above
};

// `previous` is the level after the previous evaluation of the same series.
//  - raised:   count > raise_above with the window fully covered, or already raised (or
//              critical) and count > hold_above;
//  - critical: count > critical_above with the window fully covered, or already critical and
//              count > raise_above.
// Holding does not need coverage: a window that lost a poll while an alert is up still shows
// events that happened, and dropping the alert for a missed poll would make it flap.
AlertLevel NextLevel(const config::AlertRule& rule, AlertLevel previous,
                     const evaluate::Number& count, bool window_covered);
inline AlertLevel NextLevel(const config::AlertRule& rule, AlertLevel previous, uint64_t count,
                            bool window_covered) {
  return NextLevel(rule, previous, evaluate::Number::Count(count), window_covered);
}

}  // namespace vmq::alerting

#endif  // VMQ_ALERTING_ALERT_LEVEL_H_
