#include <algorithm>
#include <string>
#include <vector>

#include "config/sections.h"
#include "config/values.h"

namespace vmq::config::detail {
namespace {

// A window needs at least two polls inside it to count anything.
Millis MinimumWindow(const PollSection& poll) { return 2 * poll.settings.interval; }

std::vector<Window> DefaultWindows(const PollSection& poll) {
  std::vector<Window> windows = {{"1m", Millis(60'000)}, {"5m", Millis(300'000)}};
  if (windows.front().length < MinimumWindow(poll)) {
    // Only a written interval can be this long.
    poll.interval->Fail("poll.interval (" + poll.interval->yaml().Scalar() +
                        ") is too long for the default windows [1m, 5m]: each window must span "
                        "at least two poll intervals; shorten the interval or set windows: "
                        "explicitly");
  }
  return windows;
}

Window ParseWindow(const Node& node, const PollSection& poll) {
  Window window{node.Scalar("a duration such as 1m"), DurationValue(node)};
  if (window.length < MinimumWindow(poll)) {
    const std::string interval = FormatDuration(poll.settings.interval);
    node.Fail(node.path() + " (" + window.text + ") must span at least two poll intervals (2 x " +
              interval + " = " + FormatDuration(MinimumWindow(poll)) +
              "); lengthen the window or shorten poll.interval");
  }
  return window;
}

}  // namespace

std::vector<Window> ParseWindows(const std::optional<Node>& node, const PollSection& poll) {
  if (!node || node->IsNull()) return DefaultWindows(poll);
  const std::vector<Node> items = node->List("a list of durations such as [1m, 5m]");
  if (items.empty()) {
    node->Fail(node->path() +
               " is empty; list at least one window such as 1m, or remove the key to use the "
               "defaults [1m, 5m]");
  }
  std::vector<Window> windows;
  for (size_t i = 0; i < items.size(); ++i) {
    Window window = ParseWindow(items[i], poll);
    for (size_t j = 0; j < windows.size(); ++j) {
      if (windows[j].length == window.length) {
        items[i].Fail(items[i].path() + " (" + window.text + ") is as long as " + items[j].path() +
                      " (" + windows[j].text + "); remove one of them");
      }
    }
    windows.push_back(std::move(window));
  }
  std::sort(windows.begin(), windows.end(),
            [](const Window& a, const Window& b) { return a.length < b.length; });
  return windows;
}

}  // namespace vmq::config::detail
