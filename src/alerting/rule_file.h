#ifndef VMQ_ALERTING_RULE_FILE_H_
#define VMQ_ALERTING_RULE_FILE_H_

// The Prometheus rule file the exporter prints with --alerts.print-rules, generated from the
// alerts: section so that thresholds have one home. The output is deterministic (it depends
// on the configuration only, not on the time, the version or the file's path), so that the
// committed alerts/vernemq-pubcomp.rules.yml can be checked against config.yaml.

#include <string>

#include "config/config.h"

namespace vmq::alerting {

// Group names, for readers of the file and of Prometheus' /rules page.
inline constexpr char kSignalGroup[] = "vernemq-pubcomp";
inline constexpr char kHealthGroup[] = "vernemq-pubcomp-exporter";

// How far back VerneMQTargetNotVerneMQ looks for not_vernemq poll errors.
inline constexpr char kNotVerneMQRange[] = "5m";

std::string RenderRuleFile(const config::Config& config);

}  // namespace vmq::alerting

#endif  // VMQ_ALERTING_RULE_FILE_H_
