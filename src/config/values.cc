#include "config/values.h"

#include <string>

namespace vmq::config::detail {

Millis DurationValue(const Node& node) {
  const std::string text = node.Scalar("a duration such as 5s");
  Millis length{0};
  if (!ParseDuration(text, &length)) {
    node.Fail(node.path() + " \"" + text +
              "\" is not a valid duration; write a positive duration such as 800ms, 5s, 1m or "
              "1h30m (units ms, s, m, h, d, w, y, largest first, each at most once)");
  }
  if (length > kMaxDuration) {
    node.Fail(node.path() + " \"" + text + "\" is longer than the longest duration allowed, " +
              FormatDuration(kMaxDuration) +
              " (the exporter keeps its history in memory; use Prometheus for longer ranges)");
  }
  return length;
}

}  // namespace vmq::config::detail
