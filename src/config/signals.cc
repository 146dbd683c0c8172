#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "config/matcher.h"
#include "config/names.h"
#include "config/sections.h"

namespace vmq::config::detail {
namespace {

constexpr char kSignalShape[] =
    "a map with name:, help:, source: and optional include:, "
    "exclude:, keep_labels:";
constexpr std::string_view kNamespacePrefix = "vernemq_";
// Labels the exporter sets on every output series itself (`node` is refused separately: it is
// always carried over from the source).
constexpr std::string_view kReservedLabels[] = {"target", "window"};

std::string ParseSignalName(const Node& node) {
  std::string name = node.Scalar("a metric name");
  if (!IsMetricName(name)) {
    node.Fail(node.path() + " \"" + name +
              "\" is not a valid Prometheus metric name; use letters, digits, _ and :, not "
              "starting with a digit");
  }
  return name;
}

std::string ParseHelp(const Node& node) {
  std::string help = node.Scalar("a help text");
  if (help.empty()) node.Fail(node.path() + " is empty; describe what the signal counts");
  return help;
}

std::string ParseSource(const Node& node) {
  std::string source = node.Scalar("a VerneMQ metric name");
  if (!IsSourceName(source)) {
    node.Fail(node.path() + " \"" + source +
              "\" must be a VerneMQ metric name made of lowercase letters, digits and _, such as "
              "mqtt_pubcomp_received");
  }
  if (source.starts_with(kNamespacePrefix)) {
    node.Fail(node.path() + " \"" + source +
              "\" must be written without the namespace prefix: use \"" +
              source.substr(kNamespacePrefix.size()) + "\"");
  }
  return source;
}

LabelMatcher ParseMatcher(const Map& map, const Entry& entry) {
  if (!IsLabelName(entry.key)) {
    entry.key_node.Fail("\"" + entry.key + "\" in " + map.node().path() +
                        " is not a valid label name; use letters, digits and _, not starting "
                        "with a digit");
  }
  std::string pattern = entry.value.Scalar("a regular expression");
  try {
    return MakeMatcher(entry.key, pattern);
  } catch (const InvalidPattern& error) {
    entry.value.Fail(entry.value.path() + " \"" + pattern +
                     "\" is not a valid regular expression: " + error.what());
  }
}

std::vector<LabelMatcher> ParseMatchers(const std::optional<Node>& node) {
  std::vector<LabelMatcher> matchers;
  if (!node) return matchers;
  const Map map = node->OpenMap("a map from label name to regular expression");
  for (const Entry& entry : map.entries()) matchers.push_back(ParseMatcher(map, entry));
  return matchers;
}

std::string ParseKeptLabel(const Node& node) {
  std::string label = node.Scalar("a label name");
  if (!IsLabelName(label) || label.starts_with("__")) {
    node.Fail(node.path() + " \"" + label +
              "\" is not a valid label name; use letters, digits and _, not starting with a "
              "digit or __");
  }
  if (label == "node") {
    node.Fail(node.path() + " \"node\" is always kept; remove it from keep_labels");
  }
  if (std::find(std::begin(kReservedLabels), std::end(kReservedLabels), label) !=
      std::end(kReservedLabels)) {
    node.Fail(node.path() + " \"" + label +
              "\" is a label the exporter sets itself; remove it from keep_labels");
  }
  return label;
}

std::vector<std::string> ParseKeepLabels(const std::optional<Node>& node) {
  if (!node) return {"mqtt_version"};
  const std::vector<Node> items =
      node->List("a list of label names such as [mqtt_version] ([] keeps only node)");
  std::vector<std::string> labels;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string label = ParseKeptLabel(items[i]);
    const auto earlier = std::find(labels.begin(), labels.end(), label);
    if (earlier != labels.end()) {
      items[i].Fail(items[i].path() + " \"" + label + "\" is already listed as " +
                    items[earlier - labels.begin()].path() + "; list each label once");
    }
    labels.push_back(std::move(label));
  }
  return labels;
}

// A signal plus where its name was written, for the uniqueness check.
struct ParsedSignal {
  Signal signal;
  Node name_node;
};

ParsedSignal ParseSignal(const Node& node) {
  const Map map =
      node.FixedMap(kSignalShape, {"name", "help", "source", "include", "exclude", "keep_labels"});
  const Node name_node = map.Require("name", "add name: with the exported metric name");
  Signal signal;
  signal.name = ParseSignalName(name_node);
  signal.help = ParseHelp(map.Require("help", "add help: describing what the signal counts"));
  signal.source = ParseSource(
      map.Require("source", "add source: with the VerneMQ counter, such as mqtt_pubcomp_sent"));
  signal.include = ParseMatchers(map.Get("include"));
  signal.exclude = ParseMatchers(map.Get("exclude"));
  signal.keep_labels = ParseKeepLabels(map.Get("keep_labels"));
  return ParsedSignal{std::move(signal), name_node};
}

void AddOrReplace(Signal signal, std::vector<Signal>* signals) {
  const auto same_name = std::find_if(signals->begin(), signals->end(),
                                      [&](const Signal& s) { return s.name == signal.name; });
  if (same_name != signals->end()) {
    *same_name = std::move(signal);
  } else {
    signals->push_back(std::move(signal));
  }
}

}  // namespace

std::vector<Signal> ParseSignals(const std::optional<Node>& node) {
  std::vector<Signal> signals = DefaultSignals();
  if (!node || node->IsNull()) return signals;
  const std::vector<Node> items =
      node->List(std::string("a list of signals, each ") + kSignalShape);
  std::vector<ParsedSignal> configured;
  for (const Node& item : items) {
    ParsedSignal next = ParseSignal(item);
    for (const ParsedSignal& earlier : configured) {
      if (earlier.signal.name == next.signal.name) {
        next.name_node.Fail(next.name_node.path() + " \"" + next.signal.name +
                            "\" is already used by " + earlier.name_node.path() + " (line " +
                            std::to_string(earlier.name_node.position().line) +
                            "); signal names must be unique");
      }
    }
    configured.push_back(std::move(next));
  }
  for (ParsedSignal& parsed : configured) AddOrReplace(std::move(parsed.signal), &signals);
  return signals;
}

}  // namespace vmq::config::detail
