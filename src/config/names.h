#ifndef VMQ_CONFIG_NAMES_H_
#define VMQ_CONFIG_NAMES_H_

// Which strings may be used as names. Metric and label names follow the Prometheus data
// model, so that whatever the config allows can be exported as written.

#include <string_view>

namespace vmq::config::detail {

bool IsMetricName(std::string_view name);  // [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsLabelName(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*
bool IsTargetName(std::string_view name);  // [A-Za-z0-9_.:@-]+
// VerneMQ metric names as they appear after the namespace prefix: [a-z0-9_]+
bool IsSourceName(std::string_view name);

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_NAMES_H_
