#include "integration/alertmanager_config.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace vmq::testing {
namespace {

// Short enough for a test to see the first notification within a second or two; the repeat
// stays long so that a firing alert is not notified again during a test.
std::vector<std::pair<std::string, std::string>> TestTimings() {
  const std::string wait = std::to_string(kTestGroupWaitSeconds) + "s";
  return {{"group_wait", wait}, {"group_interval", wait}, {"repeat_interval", "10m"}};
}

// Calls `visit` on the root route and every nested route.
void ForEachRoute(YAML::Node route, const std::function<void(YAML::Node)>& visit) {
  if (!route.IsMap()) return;
  visit(route);
  if (route["routes"] && route["routes"].IsSequence()) {
    for (YAML::Node child : route["routes"]) ForEachRoute(child, visit);
  }
}

// Calls `visit` on every notifier entry of every receiver (webhook_configs, email_configs...).
void ForEachNotifier(YAML::Node root, const std::function<void(YAML::Node)>& visit) {
  if (!root["receivers"] || !root["receivers"].IsSequence()) return;
  for (YAML::Node receiver : root["receivers"]) {
    for (auto entry : receiver) {
      if (!entry.second.IsSequence()) continue;
      for (YAML::Node notifier : entry.second) {
        if (notifier.IsMap()) visit(notifier);
      }
    }
  }
}

std::string Emit(const YAML::Node& root) {
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

std::string TestAlertmanagerConfig(const std::string& committed_yaml,
                                   const std::string& receiver_url) {
  YAML::Node root = YAML::Load(committed_yaml);
  bool root_route = true;
  ForEachRoute(root["route"], [&](YAML::Node route) {
    for (const auto& [key, value] : TestTimings()) {
      if (root_route || route[key]) route[key] = value;
    }
    root_route = false;
  });
  int redirected = 0;
  ForEachNotifier(root, [&](YAML::Node notifier) {
    if (!notifier["url"]) return;
    notifier["url"] = receiver_url;
    ++redirected;
  });
  if (redirected == 0) {
    throw std::runtime_error("alertmanager.yml has no receiver with a url: to redirect");
  }
  return "# Test copy of alerts/alertmanager.yml: only group_wait, group_interval,\n"
         "# repeat_interval and receiver URLs differ from the committed file.\n" +
         Emit(root);
}

std::string WithoutTimingsAndUrls(const std::string& yaml) {
  YAML::Node root = YAML::Load(yaml);
  ForEachRoute(root["route"], [](YAML::Node route) {
    for (const auto& timing : TestTimings()) route.remove(timing.first);
  });
  ForEachNotifier(root, [](YAML::Node notifier) { notifier.remove("url"); });
  return Emit(root);
}

}  // namespace vmq::testing
