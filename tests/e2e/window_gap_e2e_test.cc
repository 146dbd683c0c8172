// The gap rule end to end: the real exporter polling the real vmq-sim over loopback. Events
// that happen while a node is down (an outage longer than the short window) are seen by the
// first poll after it, across a gap span: they must never appear in the short window, which
// cannot contain the outage, and must appear in the long window that does. Checked against
// the simulator's own record of the events it applied.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "common/http.h"
#include "common/process.h"
#include "e2e/cluster.h"

namespace vmq::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// A short window so the test takes seconds: an outage of 7 s is longer than 5s, and 1m holds
// it with a wide margin for slow (sanitizer) runs.
constexpr char kConfigTemplate[] = R"(targets:
  - {name: vmq-1, url: "http://127.0.0.1:PORT/metrics"}
poll: {interval: 1s, timeout: 800ms}
windows: [5s, 1m]
)";

struct Sim {
  int outage = 0;  // v4 unexpected PUBCOMPs applied between the down and the up event
  int after = 0;   // and after the up event
};

// Counts from vmq-sim's record, split by the node's down/up events.
Sim FromSimRecord(const std::string& events_json) {
  Sim sim;
  int state = 0;  // 0 before the outage, 1 during, 2 after
  for (const auto& event : nlohmann::json::parse(events_json)) {
    const std::string kind = event.at("event");
    if (kind == "down") state = 1;
    if (kind == "up") state = 2;
    if (kind != "v4_pubcomp_unknown_id") continue;
    const int count = event.value("count", 1);
    if (state == 1) sim.outage += count;
    if (state == 2) sim.after += count;
  }
  return sim;
}

TEST(WindowGapEndToEnd, EventsDuringAnOutageCountOnlyInAWindowThatHoldsTheOutage) {
  TempDir dir;
  SimulatedCluster cluster(dir, {{"vmq-1", "2.x", "", true}});
  ASSERT_TRUE(cluster.ok());
  std::string config = kConfigTemplate;
  config.replace(config.find("PORT"), 4, std::to_string(cluster.node_port("vmq-1")));
  Exporter exporter(dir, config);
  ASSERT_TRUE(exporter.WaitReady()) << exporter.process().Stderr();

  std::string node;
  const auto series = [&](const std::string& window) {
    return "vmq_pubcomp_unexpected_received{target=\"vmq-1\",node=\"" + node +
           "\",mqtt_version=\"4\",window=\"" + window + "\"}";
  };
  // A baseline and a few joined polls first.
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string page = exporter.Metrics();
        const std::string prefix = "vmq_target_info{target=\"vmq-1\",node=\"";
        const size_t at = page.find(prefix);
        if (at == std::string::npos) return false;
        const size_t begin = at + prefix.size();
        node = page.substr(begin, page.find('"', begin) - begin);
        return SampleValue(page, "vmq_window_coverage_ratio{target=\"vmq-1\",window=\"5s\"}") >=
               0.5;
      },
      seconds(15)));
  ASSERT_EQ(SampleValue(exporter.Metrics(), series("1m")), 0);

  ASSERT_EQ(cluster.Inject("vmq-1", "down", 1, "refuse"), 200);
  ASSERT_TRUE(WaitFor(
      [&] { return SampleValue(exporter.Metrics(), "vmq_target_up{target=\"vmq-1\"}") == 0; },
      seconds(10)));
  const auto outage_start = steady_clock::now();
  ASSERT_EQ(cluster.Inject("vmq-1", "v4_pubcomp_unknown_id", 4), 200);
  std::this_thread::sleep_for(seconds(2));
  ASSERT_EQ(cluster.Inject("vmq-1", "v4_pubcomp_unknown_id", 2), 200);
  std::this_thread::sleep_until(outage_start + seconds(7));
  ASSERT_EQ(cluster.Inject("vmq-1", "up"), 200);

  // From the first poll after the outage on, for longer than the short window: the short
  // window never shows the outage's events, the long one shows all of them.
  ASSERT_TRUE(WaitFor(
      [&] { return SampleValue(exporter.Metrics(), "vmq_target_up{target=\"vmq-1\"}") == 1; },
      seconds(10)));
  const Sim during = FromSimRecord(cluster.Events());
  ASSERT_EQ(during.outage, 6);
  const auto watch_until = steady_clock::now() + seconds(7);
  int samples = 0;
  while (steady_clock::now() < watch_until) {
    const std::string page = exporter.Metrics();
    const double short_window = SampleValue(page, series("5s"));
    const double long_window = SampleValue(page, series("1m"));
    if (!std::isnan(short_window) || !std::isnan(long_window)) {
      ++samples;
      EXPECT_EQ(short_window, 0) << "sample " << samples;
      EXPECT_EQ(long_window, during.outage) << "sample " << samples;
      EXPECT_LT(SampleValue(page, "vmq_window_coverage_ratio{target=\"vmq-1\",window=\"1m\"}"), 1);
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_GT(samples, 10);

  // Joined polls again: new events count in both windows as usual.
  ASSERT_EQ(cluster.Inject("vmq-1", "v4_pubcomp_unknown_id", 3), 200);
  const Sim later = FromSimRecord(cluster.Events());
  ASSERT_EQ(later.after, 3);
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string page = exporter.Metrics();
        return SampleValue(page, series("5s")) == later.after &&
               SampleValue(page, series("1m")) == later.outage + later.after;
      },
      seconds(10)))
      << exporter.Metrics();
}

}  // namespace
}  // namespace vmq::testing
