#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

#include "config/sections.h"
#include "config/values.h"

namespace vmq::config::detail {
namespace {

size_t ByteCount(const Node& node) {
  const std::string text = node.Scalar("a number of bytes such as 8388608");
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > SIZE_MAX) {
    node.Fail(node.path() + " \"" + text +
              "\" must be a whole number of bytes greater than zero, such as 8388608 (8 MiB)");
  }
  return static_cast<size_t>(value);
}

// "5s" as the user wrote it, or "4s, the default" when they did not.
std::string Describe(const std::optional<Node>& node, Millis value) {
  if (node) return node->yaml().Scalar();
  return FormatDuration(value) + ", the default";
}

void CheckTimeoutBelowInterval(const PollSection& poll) {
  if (poll.settings.timeout < poll.settings.interval) return;
  // Both defaults satisfy the rule, so at least one of the two was written.
  const Node& blame = poll.timeout ? *poll.timeout : *poll.interval;
  blame.Fail("poll.timeout (" + Describe(poll.timeout, poll.settings.timeout) +
             ") must be shorter than poll.interval (" +
             Describe(poll.interval, poll.settings.interval) +
             "); lower the timeout or raise the interval");
}

}  // namespace

PollSection ParsePoll(const std::optional<Node>& node) {
  PollSection poll;
  if (!node || node->IsNull()) return poll;
  const Map map =
      node->FixedMap("a map of poll settings (interval, timeout, max_body_bytes, max_series_bytes)",
                     {"interval", "timeout", "max_body_bytes", "max_series_bytes"});
  poll.interval = map.Get("interval");
  poll.timeout = map.Get("timeout");
  if (poll.interval) poll.settings.interval = DurationValue(*poll.interval);
  if (poll.timeout) poll.settings.timeout = DurationValue(*poll.timeout);
  if (const std::optional<Node> bytes = map.Get("max_body_bytes")) {
    poll.settings.max_body_bytes = ByteCount(*bytes);
  }
  if (const std::optional<Node> bytes = map.Get("max_series_bytes")) {
    poll.settings.max_series_bytes = ByteCount(*bytes);
  }
  CheckTimeoutBelowInterval(poll);
  return poll;
}

}  // namespace vmq::config::detail
