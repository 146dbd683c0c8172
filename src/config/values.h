#ifndef VMQ_CONFIG_VALUES_H_
#define VMQ_CONFIG_VALUES_H_

// Typed scalar readers shared by several sections, so that the same kind of value is
// accepted, and refused with the same advice, wherever it appears.

#include "config/config.h"
#include "config/yaml_reader.h"

namespace vmq::config::detail {

// Every duration in the file (interval, timeout, windows, alert windows) is at most this long:
// a window is history held in memory, and longer values only invite overflow in arithmetic on
// monotonic time points.
inline constexpr Millis kMaxDuration{7LL * 24 * 3600 * 1000};

// A positive Prometheus duration of at most kMaxDuration.
Millis DurationValue(const Node& node);

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_VALUES_H_
