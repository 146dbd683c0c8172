#include "alerting/promql.h"

#include <cstdint>

namespace vmq::alerting::detail {
namespace {

std::string Count(const std::string& signal, const std::string& window) {
  return std::string("sum by (") + kSeriesLabels + ") (" + signal + "{window=\"" + window + "\"})";
}

// The window of the series' target not fully covered by polls: its count is a lower bound.
std::string PartlyCovered(const std::string& window) {
  return std::string("and on (") + kTargetLabels + ") vmq_window_coverage_ratio{window=\"" +
         window + "\"} < 1";
}

std::string Firing(const std::string& alert, const std::string& severity) {
  return std::string("and on (") + kSeriesLabels + ")\n    ALERTS{alertname=\"" + alert +
         "\", alertstate=\"firing\", severity=\"" + severity + "\"}";
}

}  // namespace

std::string HysteresisExpr(const std::string& signal, const std::string& window,
                           const std::string& alert, const std::string& severity, uint64_t raise,
                           uint64_t hold) {
  const std::string count = Count(signal, window);
  const std::string firing = Firing(alert, severity);
  return "(\n  " + count + " > " + std::to_string(raise) + "\n)\nor\n(\n  " + count + " > " +
         std::to_string(hold) + "\n  " + firing + "\n)\nor\n(\n  " + count + "\n  " +
         PartlyCovered(window) + "\n  " + firing + "\n)";
}

std::string RaisedExpr(const config::AlertRule& rule, const std::string& window) {
  return HysteresisExpr(rule.signal, window, rule.alert, rule.severity, rule.raise_above,
                        rule.hold_above);
}

std::string CriticalExpr(const config::AlertRule& rule, const std::string& window) {
  return HysteresisExpr(rule.signal, window, rule.alert, "critical", rule.critical_above.value(),
                        rule.raise_above);
}

std::string TargetDownExpr() { return "vmq_target_up == 0"; }

std::string StaleExpr(const std::string& threshold_seconds) {
  return "(\n  timestamp(vmq_target_last_success_timestamp_seconds)\n    - "
         "vmq_target_last_success_timestamp_seconds > " +
         threshold_seconds + "\n)\nand on (" + kTargetLabels + ") vmq_target_up == 1";
}

std::string NotVerneMQExpr(const std::string& range) {
  return "increase(vmq_target_poll_errors_total{reason=\"not_vernemq\"}[" + range + "]) > 0";
}

std::string FormatSeconds(Millis length) {
  std::string text = std::to_string(length.count() / 1000);
  const int64_t fraction = length.count() % 1000;
  if (fraction == 0) return text;
  std::string digits = std::to_string(1000 + fraction).substr(1);
  while (digits.back() == '0') digits.pop_back();
  return text + "." + digits;
}

}  // namespace vmq::alerting::detail
