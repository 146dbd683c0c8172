#include "sim/scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/events.h"
#include "sim/serve_mode.h"

namespace vmq::sim {
namespace detail {
namespace {

constexpr std::uint64_t kMaxCount = 1'000'000'000;

bool IsNodeName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  [[noreturn]] void Fail(const YAML::Mark& mark, const std::string& problem) const {
    const int line = mark.is_null() ? 0 : mark.line + 1;
    const int column = mark.is_null() ? 0 : mark.column + 1;
    std::ostringstream what;
    what << source_ << ":" << line << ":" << column << ": " << problem;
    throw ScenarioError(what.str(), line, column);
  }

  Scenario Read(const YAML::Node& root) const {
    if (!root.IsMap()) Fail(root.Mark(), "a scenario is a mapping with `nodes:`");
    CheckKeys(root, {"control_port", "nodes", "timeline"});
    Scenario out;
    if (root["control_port"]) out.control_port = Port(root["control_port"]);
    const YAML::Node nodes = root["nodes"];
    if (!nodes || !nodes.IsSequence() || nodes.size() == 0) {
      Fail(nodes ? nodes.Mark() : root.Mark(), "`nodes` must list at least one node");
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) out.nodes.push_back(ReadNode(nodes[i], i));
    CheckUnique(nodes, out);
    const YAML::Node timeline = root["timeline"];
    if (timeline && !timeline.IsNull()) {
      if (!timeline.IsSequence()) Fail(timeline.Mark(), "`timeline` must be a list of events");
      for (const YAML::Node& entry : timeline) out.timeline.push_back(ReadEntry(entry, out));
    }
    std::stable_sort(out.timeline.begin(), out.timeline.end(),
                     [](const TimelineEntry& a, const TimelineEntry& b) { return a.at < b.at; });
    return out;
  }

 private:
  void CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        Fail(it->first.Mark(), "unknown key `" + key + "`");
      }
    }
  }

  std::string Text(const YAML::Node& node, std::string_view what) const {
    if (node.IsNull()) return "";
    if (!node.IsScalar()) Fail(node.Mark(), std::string(what) + " must be a single value");
    return node.Scalar();
  }

  std::uint64_t Unsigned(const YAML::Node& node, std::string_view what, std::uint64_t max) const {
    const std::string text = Text(node, what);
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max) {
      Fail(node.Mark(), std::string(what) + " must be an integer from 0 to " + std::to_string(max) +
                            ", not `" + text + "`");
    }
    return value;
  }

  int Port(const YAML::Node& node) const {
    return static_cast<int>(Unsigned(node, "a port", 65535));
  }

  bool Bool(const YAML::Node& node, std::string_view what) const {
    try {
      return node.as<bool>();
    } catch (const YAML::Exception&) {
      Fail(node.Mark(), std::string(what) + " must be true or false");
    }
  }

  double Rate(const YAML::Node& node, std::string_view what) const {
    const std::string text = Text(node, what);
    double value = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(value) || value < 0) {
      Fail(node.Mark(), std::string(what) + " must be a number of flows per second >= 0");
    }
    return value;
  }

  NodeSpec ReadNode(const YAML::Node& node, std::size_t index) const {
    if (!node.IsMap()) Fail(node.Mark(), "a node is a mapping with at least `name:`");
    CheckKeys(node,
              {"name", "port", "layout", "namespace", "node_label", "final_newline", "background"});
    NodeSpec out;
    if (!node["name"]) Fail(node.Mark(), "a node needs a `name`");
    out.name = Text(node["name"], "`name`");
    if (!IsNodeName(out.name)) {
      Fail(node["name"].Mark(), "node names use letters, digits, '-', '_' and '.' only");
    }
    if (node["port"]) out.port = Port(node["port"]);
    ReadLayout(node, &out);
    out.style.node_label = "VerneMQ@127.0.0." + std::to_string(index + 1);
    if (node["node_label"]) out.style.node_label = Text(node["node_label"], "`node_label`");
    if (out.style.node_label.find_first_of("\"\\\n") != std::string::npos) {
      Fail(node["node_label"].Mark(), "`node_label` cannot hold quotes, backslashes or newlines");
    }
    if (node["final_newline"])
      out.style.final_newline = Bool(node["final_newline"], "`final_newline`");
    if (node["background"]) out.background = ReadBackground(node["background"]);
    return out;
  }

  void ReadLayout(const YAML::Node& node, NodeSpec* out) const {
    if (node["layout"]) out->layout = Text(node["layout"], "`layout`");
    if (out->layout == "2.x") {
      out->style.prefix = "vernemq_";
    } else if (out->layout == "1.x") {
      out->style.prefix = "";
    } else if (out->layout != "custom") {
      Fail(node["layout"].Mark(), "`layout` is 2.x, 1.x or custom, not `" + out->layout + "`");
    }
    const std::string ns = node["namespace"] ? Text(node["namespace"], "`namespace`") : "";
    if (!ns.empty()) {
      out->layout = "custom";
      out->style.prefix = ns;
    } else if (out->layout == "custom") {
      Fail(node.Mark(), "layout custom needs a `namespace`");
    }
  }

  BackgroundRates ReadBackground(const YAML::Node& node) const {
    if (node.IsNull()) return {};
    if (!node.IsMap()) Fail(node.Mark(), "`background` is a mapping of rates");
    CheckKeys(node, {"qos0_per_s", "qos1_per_s", "qos2_per_s"});
    BackgroundRates out;
    if (node["qos0_per_s"]) out.qos0_per_s = Rate(node["qos0_per_s"], "`qos0_per_s`");
    if (node["qos1_per_s"]) out.qos1_per_s = Rate(node["qos1_per_s"], "`qos1_per_s`");
    if (node["qos2_per_s"]) out.qos2_per_s = Rate(node["qos2_per_s"], "`qos2_per_s`");
    return out;
  }

  void CheckUnique(const YAML::Node& nodes, const Scenario& scenario) const {
    std::set<std::string> names;
    std::set<int> ports;
    if (scenario.control_port != 0) ports.insert(scenario.control_port);
    for (std::size_t i = 0; i < scenario.nodes.size(); ++i) {
      const NodeSpec& node = scenario.nodes[i];
      if (!names.insert(node.name).second) {
        Fail(nodes[i]["name"].Mark(), "two nodes are named `" + node.name + "`");
      }
      if (node.port != 0 && !ports.insert(node.port).second) {
        Fail(nodes[i]["port"].Mark(), "port " + std::to_string(node.port) + " is used twice");
      }
    }
  }

  TimelineEntry ReadEntry(const YAML::Node& node, const Scenario& scenario) const {
    if (!node.IsMap()) Fail(node.Mark(), "a timeline entry is a mapping {at, node, event}");
    CheckKeys(node, {"at", "node", "event", "count", "mode"});
    for (const char* key : {"at", "node", "event"}) {
      if (!node[key]) Fail(node.Mark(), std::string("a timeline entry needs `") + key + "`");
    }
    TimelineEntry out;
    const std::string at = Text(node["at"], "`at`");
    if (!ParseOffset(at, &out.at)) {
      Fail(node["at"].Mark(), "`at` is a time like 10s, 500ms or 2m, not `" + at + "`");
    }
    out.node = Text(node["node"], "`node`");
    const bool known_node = std::any_of(scenario.nodes.begin(), scenario.nodes.end(),
                                        [&](const NodeSpec& n) { return n.name == out.node; });
    if (!known_node) Fail(node["node"].Mark(), "no node is named `" + out.node + "`");
    out.event = Text(node["event"], "`event`");
    const EventSpec* spec = FindEvent(out.event);
    if (spec == nullptr) Fail(node["event"].Mark(), "unknown event `" + out.event + "`");
    if (node["count"]) {
      out.count = Unsigned(node["count"], "`count`", kMaxCount);
      if (out.count == 0) Fail(node["count"].Mark(), "`count` must be at least 1");
    }
    ReadMode(node, *spec, &out);
    return out;
  }

  void ReadMode(const YAML::Node& node, const EventSpec& spec, TimelineEntry* out) const {
    if (!node["mode"]) {
      if (spec.kind == EventKind::kDown) out->mode = "refuse";
      return;
    }
    if (spec.kind != EventKind::kDown) Fail(node["mode"].Mark(), "only `down` takes a `mode`");
    out->mode = Text(node["mode"], "`mode`");
    if (!ParseDownMode(out->mode)) {
      Fail(node["mode"].Mark(),
           "`mode` is refuse, hang, http_500, truncated or garbage, not `" + out->mode + "`");
    }
  }

  std::string_view source_;
};

}  // namespace
}  // namespace detail

bool ParseOffset(std::string_view text, Millis* out) {
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc() || !std::isfinite(number) || number < 0) return false;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  double millis_per_unit = 0;
  if (unit.empty() || unit == "s") {
    millis_per_unit = 1000;
  } else if (unit == "ms") {
    millis_per_unit = 1;
  } else if (unit == "m") {
    millis_per_unit = 60'000;
  } else if (unit == "h") {
    millis_per_unit = 3'600'000;
  } else {
    return false;
  }
  *out = Millis(static_cast<Millis::rep>(std::llround(number * millis_per_unit)));
  return true;
}

Scenario ParseScenario(std::string_view yaml, std::string_view source_name) {
  detail::Reader reader(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    reader.Fail(e.mark, e.msg);
  }
  return reader.Read(root);
}

Scenario LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot read the scenario file", 0, 0);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path);
}

}  // namespace vmq::sim
