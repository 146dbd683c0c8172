#ifndef VMQ_ALERTING_ALERT_LEVEL_H_
#define VMQ_ALERTING_ALERT_LEVEL_H_

// The hysteresis of one alert on one series, shared by the exporter's vmq_alert_state and
// (as PromQL, see promql.h) the generated Prometheus rules. It mirrors Netdata's
// `warn: $this > (($status >= $WARNING) ? (hold) : (raise))`, adapted to what a window count
// is: a lower bound of the true number of events in the window (increases the exporter could
// not place in it are left out), exact only when polls cover the whole window. So a level
// changes only on what is certain:
//  - a count above a threshold is certain whatever the coverage: raising never waits;
//  - a count at or below a threshold is certain only on a fully covered window: a partly
//    covered window never lowers a level, the previous one is kept until the window is
//    covered again (at most one window length after the last gap) or the target goes down.

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
//  - critical: count > critical_above, or already critical and (count > raise_above or the
//              window not covered);
//  - raised:   count > raise_above, or already raised or critical and (count > hold_above or
//              the window not covered);
//  - ok:       otherwise.
AlertLevel NextLevel(const config::AlertRule& rule, AlertLevel previous,
                     const evaluate::Number& count, bool window_covered);
inline AlertLevel NextLevel(const config::AlertRule& rule, AlertLevel previous, uint64_t count,
                            bool window_covered) {
  return NextLevel(rule, previous, evaluate::Number::Count(count), window_covered);
}

}  // namespace vmq::alerting

#endif  // VMQ_ALERTING_ALERT_LEVEL_H_
