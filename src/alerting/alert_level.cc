#include "alerting/alert_level.h"

namespace vmq::alerting {

AlertLevel NextLevel(const config::AlertRule& rule, AlertLevel previous,
                     const evaluate::Number& count, bool window_covered) {
  const bool critical = rule.critical_above &&
                        ((window_covered && count.Exceeds(*rule.critical_above)) ||
                         (previous == AlertLevel::kCritical && count.Exceeds(rule.raise_above)));
  if (critical) return AlertLevel::kCritical;
  const bool raised = (window_covered && count.Exceeds(rule.raise_above)) ||
                      (previous != AlertLevel::kOk && count.Exceeds(rule.hold_above));
  return raised ? AlertLevel::kRaised : AlertLevel::kOk;
}

}  // namespace vmq::alerting
