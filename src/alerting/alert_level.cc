#include "alerting/alert_level.h"

namespace vmq::alerting {

AlertLevel NextLevel(const config::AlertRule& rule, AlertLevel previous,
                     const evaluate::Number& count, bool window_covered) {
  // Whether `previous` is kept at a count at or below its clearing threshold: only an exact
  // count (a fully covered window) can say that the events have stopped.
  const bool uncertain = !window_covered;
  const bool critical =
      rule.critical_above &&
      (count.Exceeds(*rule.critical_above) ||
       (previous == AlertLevel::kCritical && (uncertain || count.Exceeds(rule.raise_above))));
  if (critical) return AlertLevel::kCritical;
  const bool raised =
      count.Exceeds(rule.raise_above) ||
      (previous != AlertLevel::kOk && (uncertain || count.Exceeds(rule.hold_above)));
  return raised ? AlertLevel::kRaised : AlertLevel::kOk;
}

}  // namespace vmq::alerting
