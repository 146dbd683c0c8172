#include "config/sections.h"

namespace vmq::config::detail {

Config ParseRoot(const Node& root) {
  const Map map = root.FixedMap("a map of sections (targets, poll, windows, signals)",
                                {"targets", "poll", "windows", "signals"});
  Config config;
  config.targets = ParseTargets(
      map.Require("targets", "add a targets: list with the url of each node's /metrics page"));
  const PollSection poll = ParsePoll(map.Get("poll"));
  config.poll = poll.settings;
  config.windows = ParseWindows(map.Get("windows"), poll);
  config.signals = ParseSignals(map.Get("signals"));
  return config;
}

}  // namespace vmq::config::detail
