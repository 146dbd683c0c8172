#include "config/sections.h"

namespace vmq::config::detail {

Config ParseRoot(const Node& root) {
  const Map map = root.FixedMap("a map of sections (targets, poll, windows, signals, alerts)",
                                {"targets", "poll", "windows", "signals", "alerts"});
  Config config;
  config.targets = ParseTargets(
      map.Require("targets", "add a targets: list with the url of each node's /metrics page"));
  const PollSection poll = ParsePoll(map.Get("poll"));
  config.poll = poll.settings;
  config.windows = ParseWindows(map.Get("windows"), poll);
  config.signals = ParseSignals(map.Get("signals"));
  config.alerts = ParseAlerts(map.Get("alerts"), config.windows, config.signals);
  return config;
}

}  // namespace vmq::config::detail
