// The real exporter polling the real vmq-sim: a metrics reset (or a restart) followed, within
// one poll interval, by more unexpected PUBCOMPs than the counter held before (3, reset, 5
// more). The simulator holds its page between the poll that saw the 3 and the burst, so the
// next poll sees the reset and the burst at once, at any poll interval.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/http.h"
#include "common/process.h"
#include "e2e/cluster.h"

namespace vmq::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

struct Case {
  const char* target;  // also the simulated node's name
  const char* reset;   // the event between hold and release
  const char* cause;   // expected in vmq_target_resets_total
  const char* other_cause;
};

constexpr Case kCases[] = {{"reset", "metrics_reset", "metrics_reset", "restart"},
                           {"restart", "restart", "restart", "metrics_reset"}};

std::string Config(const SimulatedCluster& cluster, milliseconds interval) {
  const milliseconds timeout = std::min(milliseconds(800), interval / 2);
  std::string config = "targets:\n";
  for (const Case& c : kCases) {
    config += "  - {name: " + std::string(c.target) +
              ", url: \"http://127.0.0.1:" + std::to_string(cluster.node_port(c.target)) +
              "/metrics\"}\n";
  }
  config += "poll: {interval: " + std::to_string(interval.count()) +
            "ms, timeout: " + std::to_string(timeout.count()) + "ms}\nwindows: [1m]\n";
  return config;
}

std::string NodeOf(const std::string& page, const std::string& target) {
  const std::string prefix = "vmq_target_info{target=\"" + target + "\",node=\"";
  const size_t at = page.find(prefix);
  if (at == std::string::npos) return "";
  const size_t begin = at + prefix.size();
  return page.substr(begin, page.find('"', begin) - begin);
}

std::string UnexpectedV4(const std::string& target, const std::string& node) {
  return "vmq_pubcomp_unexpected_received{target=\"" + target + "\",node=\"" + node +
         "\",mqtt_version=\"4\",window=\"1m\"}";
}

std::string Resets(const std::string& target, const std::string& cause) {
  return "vmq_target_resets_total{target=\"" + target + "\",cause=\"" + cause + "\"}";
}

class ResetEndToEnd : public ::testing::TestWithParam<int> {
 protected:
  milliseconds interval() const { return milliseconds(GetParam()); }
  // Generous: a few polls plus start-up, to catch a hang rather than a slowdown.
  milliseconds patience() const { return 4 * interval() + seconds(10); }

  bool WaitForEvery(const std::function<bool(const Case&, const std::string& page)>& done) {
    return WaitFor(
        [&] {
          const std::string page = exporter_->Metrics();
          for (const Case& c : kCases) {
            if (!done(c, page)) return false;
          }
          return true;
        },
        patience());
  }

  void Inject(const char* node, const char* event, int count = 1) {
    ASSERT_EQ(cluster_.Inject(node, event, count), 200) << node << " " << event;
  }

  TempDir dir_;
  SimulatedCluster cluster_{dir_, {{"reset", "2.x", "", true}, {"restart", "2.x", "", true}}};
  std::unique_ptr<Exporter> exporter_;
  std::map<std::string, std::string> nodes_;
};

TEST_P(ResetEndToEnd, CountsEveryEventOfABurstRightAfterAResetOrRestart) {
  ASSERT_TRUE(cluster_.ok());
  exporter_ = std::make_unique<Exporter>(dir_, Config(cluster_, interval()));
  ASSERT_TRUE(exporter_->WaitReady()) << exporter_->process().Stderr();
  // The first poll is a baseline: the events come after it.
  ASSERT_TRUE(WaitForEvery([](const Case& c, const std::string& page) {
    return SampleValue(page, "vmq_target_up{target=\"" + std::string(c.target) + "\"}") == 1;
  })) << exporter_->process().Stderr();
  const std::string page = exporter_->Metrics();
  for (const Case& c : kCases) {
    nodes_[c.target] = NodeOf(page, c.target);
    ASSERT_FALSE(nodes_[c.target].empty()) << c.target;
  }

  // Normal traffic first, so that other counters of the node have something to lose.
  for (const Case& c : kCases) Inject(c.target, "v5_qos2_flow", 20);
  for (const Case& c : kCases) Inject(c.target, "v4_pubcomp_unknown_id", 3);
  ASSERT_TRUE(WaitForEvery([&](const Case& c, const std::string& metrics) {
    return SampleValue(metrics, UnexpectedV4(c.target, nodes_[c.target])) == 3;
  })) << exporter_->process().Stderr();

  // A poll has seen 3. Until release every poll sees that same page; the first one after it
  // sees the reset and the 5 at once: the counter went 3 -> 5.
  for (const Case& c : kCases) Inject(c.target, "hold");
  for (const Case& c : kCases) Inject(c.target, c.reset);
  for (const Case& c : kCases) Inject(c.target, "v4_pubcomp_unknown_id", 5);
  for (const Case& c : kCases) Inject(c.target, "release");

  ASSERT_TRUE(WaitForEvery([&](const Case& c, const std::string& metrics) {
    return SampleValue(metrics, UnexpectedV4(c.target, nodes_[c.target])) == 8;
  })) << exporter_->Metrics();
  // One more poll changes nothing: one reset event, counted once (the same code at any
  // interval: waited for at the short one only).
  if (interval() <= seconds(1)) std::this_thread::sleep_for(interval() + milliseconds(300));
  const std::string settled = exporter_->Metrics();
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.target);
    EXPECT_EQ(SampleValue(settled, UnexpectedV4(c.target, nodes_[c.target])), 8);
    EXPECT_EQ(SampleValue(settled, Resets(c.target, c.cause)), 1);
    EXPECT_EQ(SampleValue(settled, Resets(c.target, c.other_cause)), 0);
  }
  const std::string log = exporter_->process().Stderr();
  EXPECT_THAT(log, HasSubstr("node's counters were reset"));
  EXPECT_THAT(log, HasSubstr("node restarted"));
  EXPECT_THAT(log, HasSubstr("system_wallclock "));
  EXPECT_THAT(log, HasSubstr("more counters went down"));
}

INSTANTIATE_TEST_SUITE_P(PollInterval, ResetEndToEnd, ::testing::Values(1000, 5000),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return "Every" + std::to_string(param.param / 1000) + "s";
                         });

}  // namespace
}  // namespace vmq::testing
