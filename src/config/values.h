#ifndef VMQ_CONFIG_VALUES_H_
#define VMQ_CONFIG_VALUES_H_

// Typed scalar readers shared by several sections, so that the same kind of value is
// accepted, and refused with the same advice, wherever it appears.

#include "config/config.h"
#include "config/yaml_reader.h"

namespace vmq::config::detail {

// A positive Prometheus duration.
Millis DurationValue(const Node& node);

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_VALUES_H_
