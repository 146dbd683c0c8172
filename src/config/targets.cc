#include <optional>
#include <string>
#include <vector>

#include "config/names.h"
#include "config/sections.h"

namespace vmq::config::detail {
namespace {

constexpr char kTargetShape[] = "a map with url: and an optional name:";

// A target plus the node to blame when its name clashes: the name if written, else the url
// the name was derived from.
struct ParsedTarget {
  Target target;
  Node name_source;
  bool named_explicitly;
};

Url ParseTargetUrl(const Node& node) {
  const std::string text = node.Scalar("a URL such as http://127.0.0.1:8888/metrics");
  Url url;
  std::string error;
  if (!ParseUrl(text, &url, &error)) {
    node.Fail(node.path() + " \"" + text + "\" is not a usable URL: " + error);
  }
  return url;
}

std::string ParseTargetName(const Node& node) {
  std::string name = node.Scalar("a target name");
  if (name.empty()) {
    node.Fail(node.path() + " is empty; give a name or remove the key to use HOST:PORT");
  }
  if (!IsTargetName(name)) {
    node.Fail(node.path() + " \"" + name +
              "\" may only contain letters, digits and the characters _ . : @ -");
  }
  return name;
}

ParsedTarget ParseTarget(const Node& node) {
  const Map map = node.FixedMap(kTargetShape, {"url", "name"});
  const Node url_node = map.Require("url", "add url: http://HOST:PORT/metrics");
  const std::optional<Node> name_node = map.Get("name");
  Target target;
  target.url = ParseTargetUrl(url_node);
  target.name = name_node ? ParseTargetName(*name_node)
                          : target.url.host + ":" + std::to_string(target.url.port);
  return ParsedTarget{target, name_node.value_or(url_node), name_node.has_value()};
}

std::string TargetPath(const ParsedTarget& parsed) {
  const std::string& path = parsed.name_source.path();
  return path.substr(0, path.rfind('.'));
}

void FailOnNameClash(const ParsedTarget& later, const ParsedTarget& earlier) {
  const std::string earlier_where =
      TargetPath(earlier) + " (line " + std::to_string(earlier.name_source.position().line) + ")";
  if (later.named_explicitly) {
    later.name_source.Fail(later.name_source.path() + " \"" + later.target.name +
                           "\" is already used by " + earlier_where +
                           "; target names must be unique");
  }
  later.name_source.Fail(TargetPath(later) + " is named \"" + later.target.name +
                         "\" after its url, a name already used by " + earlier_where +
                         "; give one of them a distinct name:");
}

}  // namespace

std::vector<Target> ParseTargets(const Node& node) {
  const std::vector<Node> items = node.List(std::string("a list of targets, each ") + kTargetShape);
  if (items.empty()) {
    node.Fail("targets is empty; add at least one target with url: http://HOST:PORT/metrics");
  }
  std::vector<ParsedTarget> parsed;
  for (const Node& item : items) {
    ParsedTarget next = ParseTarget(item);
    for (const ParsedTarget& earlier : parsed) {
      if (earlier.target.name == next.target.name) FailOnNameClash(next, earlier);
    }
    parsed.push_back(std::move(next));
  }
  std::vector<Target> targets;
  for (ParsedTarget& target : parsed) targets.push_back(std::move(target.target));
  return targets;
}

}  // namespace vmq::config::detail
