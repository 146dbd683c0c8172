#ifndef VMQ_CONFIG_SECTIONS_H_
#define VMQ_CONFIG_SECTIONS_H_

// One parser per top-level section of config.yaml. ParseRoot calls them in dependency order;
// a new section gets its own parser here, its own file, and one line in ParseRoot.

#include <optional>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace vmq::config::detail {

// Poll settings plus where the durations were written, because later sections check their
// own values against them and must be able to blame the right line.
struct PollSection {
  PollSettings settings;
  std::optional<Node> interval;  // absent when defaulted
  std::optional<Node> timeout;
};

Config ParseRoot(const Node& root);

std::vector<Target> ParseTargets(const Node& node);
// Absent or empty sections (`poll:` with nothing under it) mean "all defaults".
PollSection ParsePoll(const std::optional<Node>& node);
std::vector<Window> ParseWindows(const std::optional<Node>& node, const PollSection& poll);
// DefaultSignals() with the configured signals replacing (same name) or added after them.
std::vector<Signal> ParseSignals(const std::optional<Node>& node);
// DefaultAlertRules() with the configured rules replacing (same alert) or added after them;
// every rule's signal must be one of `signals` and the alert window one of `windows`.
AlertSettings ParseAlerts(const std::optional<Node>& node, const std::vector<Window>& windows,
                          const std::vector<Signal>& signals);

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_SECTIONS_H_
