// Runtime::Reload: what a reloaded configuration keeps of the running targets (history, window
// values, alert levels) and what it changes. Fake clock, hand-made pages, the real
// select -> window -> evaluate -> alert -> render path.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/runtime.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/log.h"
#include "config/config.h"

namespace vmq::app {
namespace {

constexpr Millis kInterval{5000};
constexpr char kUnexpected[] = "VerneMQPubcompUnexpected";

std::string Targets(const std::vector<std::string>& names) {
  std::string yaml = "targets:\n";
  for (const std::string& name : names) {
    yaml += "  - name: " + name + "\n    url: http://" + name + ":8888/metrics\n";
  }
  return yaml;
}

class ReloadTest : public ::testing::Test {
 protected:
  ReloadTest() : runtime_(Load(Targets({"a", "b"})), clock_, logger_, {"test", "test"}) {}

  static config::Config Load(const std::string& yaml) { return config::LoadString(yaml, "c.yaml"); }

  // One poll of `target`: the node's unexpected-PUBCOMP counter (MQTT 4) at `count`.
  void Poll(const std::string& target, uint64_t count) {
    poll::PollResult result;
    result.http_status = 200;
    result.body =
        "vernemq_mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
        "vernemq_system_wallclock{node=\"n\"} " +
        std::to_string(uptime_ms_) +
        "\nvernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} " +
        std::to_string(count) + "\n";
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult(target, std::move(result));
  }

  // Both targets polled every 5 s, the counter growing by `step` at each poll.
  void PollBoth(int polls, uint64_t step, const std::vector<std::string>& targets = {"a", "b"}) {
    for (int i = 0; i < polls; ++i) {
      clock_.Advance(kInterval);
      uptime_ms_ += kInterval.count();
      counter_ += step;
      for (const std::string& target : targets) Poll(target, counter_);
    }
  }

  std::string Page() const { return runtime_.page().Current()->metrics_text; }
  double Count(const std::string& target, const std::string& window) const {
    return testing::SampleValue(Page(), "vmq_pubcomp_unexpected_received{target=\"" + target +
                                            "\",node=\"n\",mqtt_version=\"4\",window=\"" + window +
                                            "\"}");
  }
  double Coverage(const std::string& target, const std::string& window) const {
    return testing::SampleValue(
        Page(), "vmq_window_coverage_ratio{target=\"" + target + "\",window=\"" + window + "\"}");
  }
  double AlertState(const std::string& target) const {
    return testing::SampleValue(Page(), std::string("vmq_alert_state{alert=\"") + kUnexpected +
                                            "\",target=\"" + target +
                                            "\",node=\"n\",mqtt_version=\"4\"}");
  }
  double Self(const std::string& name) const { return testing::SampleValue(Page(), name); }

  FakeClock clock_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kWarn, LogFormat::kLogfmt};
  Runtime runtime_;
  uint64_t uptime_ms_ = 1'000'000;
  uint64_t counter_ = 0;
};

TEST_F(ReloadTest, KeepsTheWindowValuesAndAlertStateOfTargetsThatStay) {
  PollBoth(13, 1);  // 12 increases of 1 in the last minute: above raise_above 5
  const double one_minute = Count("a", "1m");
  ASSERT_EQ(one_minute, 12);
  ASSERT_EQ(AlertState("a"), 1);
  ASSERT_EQ(Coverage("a", "1m"), 1);

  const ReloadChanges changes = runtime_.Reload(Load(Targets({"a", "b", "c"})));
  EXPECT_EQ(Count("a", "1m"), one_minute);
  EXPECT_EQ(Count("a", "5m"), Count("b", "5m"));
  EXPECT_EQ(AlertState("a"), 1);
  EXPECT_EQ(Coverage("a", "1m"), 1);
  ASSERT_EQ(changes.started.size(), 1u);
  EXPECT_EQ(changes.started[0].name, "c");
  EXPECT_TRUE(changes.stopped.empty());
  EXPECT_TRUE(changes.refetch.empty());
  EXPECT_FALSE(changes.interval_changed);
  // The new target is on the page, not yet polled, and counts from its own first poll.
  EXPECT_THAT(Page(), ::testing::HasSubstr("vmq_target_up{target=\"c\"} 0"));
  EXPECT_FALSE(runtime_.page().Current()->ready);
  PollBoth(1, 1, {"a", "b", "c"});
  EXPECT_EQ(Count("a", "1m"), 12);  // one poll left the window, one came in
  EXPECT_EQ(Count("c", "1m"), 0);   // its baseline
  EXPECT_TRUE(runtime_.page().Current()->ready);
}

TEST_F(ReloadTest, RemovedTargetsLeaveThePageAndTheirResultsAreDropped) {
  PollBoth(3, 1);
  ASSERT_FALSE(std::isnan(Count("b", "1m")));
  const ReloadChanges changes = runtime_.Reload(Load(Targets({"a"})));
  ASSERT_EQ(changes.stopped, std::vector<std::string>{"b"});
  EXPECT_EQ(Page().find("target=\"b\""), std::string::npos) << Page();
  Poll("b", 100);  // a result still in flight when the target was removed
  EXPECT_EQ(Page().find("target=\"b\""), std::string::npos);
  EXPECT_EQ(runtime_.page().Current()->targets.size(), 1u);
}

TEST_F(ReloadTest, ATargetWhoseUrlChangedIsANewTarget) {
  PollBoth(5, 1);
  ASSERT_EQ(Count("a", "1m"), 4);
  const ReloadChanges changes =
      runtime_.Reload(Load("targets:\n  - {name: a, url: \"http://elsewhere:8888/metrics\"}\n"
                           "  - {name: b, url: \"http://b:8888/metrics\"}\n"));
  ASSERT_EQ(changes.started.size(), 1u);
  EXPECT_EQ(changes.started[0].url.text, "http://elsewhere:8888/metrics");
  EXPECT_TRUE(std::isnan(Count("a", "1m")));  // not polled yet under its new URL
  EXPECT_EQ(Count("b", "1m"), 4);
  PollBoth(2, 1);
  EXPECT_EQ(Count("a", "1m"), 1);  // baseline, then one increase
}

TEST_F(ReloadTest, ReWindowsTheKeptHistory) {
  PollBoth(13, 2);  // 12 increases of 2 in the last minute
  ASSERT_EQ(Count("a", "1m"), 24);
  // Shorter and longer windows than before: 30s is answered from the kept polls at once; 10m
  // is longer than what was held (5m + gap), so it is partly covered until it fills.
  runtime_.Reload(Load(Targets({"a", "b"}) + "windows: [30s, 1m, 10m]\n"));
  EXPECT_EQ(Count("a", "30s"), 12);
  EXPECT_EQ(Count("a", "1m"), 24);
  EXPECT_EQ(Count("a", "10m"), 24);
  EXPECT_TRUE(std::isnan(Count("a", "5m")));  // no longer configured
  EXPECT_EQ(Coverage("a", "30s"), 1);
  EXPECT_EQ(Coverage("a", "1m"), 1);
  EXPECT_LT(Coverage("a", "10m"), 1);
  PollBoth(1, 2);
  EXPECT_EQ(Count("a", "30s"), 12);
  EXPECT_EQ(Count("a", "10m"), 26);
}

TEST_F(ReloadTest, AppliesAChangedThresholdToTheLevelReached) {
  PollBoth(13, 1);  // 12 in the last minute
  ASSERT_EQ(AlertState("a"), 1);
  // Above 20 now: 12 is no longer enough to raise, but a raised alert holds above hold_above.
  runtime_.Reload(Load(Targets({"a", "b"}) +
                       "alerts:\n  rules:\n    - {alert: VerneMQPubcompUnexpected, signal: "
                       "vmq_pubcomp_unexpected_received, raise_above: 20, hold_above: 10}\n"));
  EXPECT_EQ(AlertState("a"), 1);
  runtime_.Reload(Load(Targets({"a", "b"}) +
                       "alerts:\n  rules:\n    - {alert: VerneMQPubcompUnexpected, signal: "
                       "vmq_pubcomp_unexpected_received, raise_above: 20, hold_above: 15}\n"));
  EXPECT_EQ(AlertState("a"), 0);  // 12 is not above 15: resolved at the reload
  runtime_.Reload(Load(Targets({"a", "b"}) +
                       "alerts:\n  rules:\n    - {alert: VerneMQPubcompUnexpected, signal: "
                       "vmq_pubcomp_unexpected_received, raise_above: 3}\n"));
  EXPECT_EQ(AlertState("a"), 1);  // raised at the reload, from the kept window
}

TEST_F(ReloadTest, ANewSignalReadsTheKeptSeries) {
  PollBoth(4, 3);
  const std::string signal =
      "signals:\n  - name: vmq_invalid_total_again\n    help: the same counter\n"
      "    source: mqtt_pubcomp_invalid_error\n";
  runtime_.Reload(Load(Targets({"a", "b"}) + signal));
  EXPECT_EQ(
      testing::SampleValue(
          Page(),
          "vmq_invalid_total_again{target=\"a\",node=\"n\",mqtt_version=\"4\",window=\"1m\"}"),
      9)
      << Page();
}

TEST_F(ReloadTest, ReportsReloadsInItsOwnMetrics) {
  EXPECT_EQ(Self("vmq_exporter_config_last_reload_successful"), 1);
  const double at_start = Self("vmq_exporter_config_last_reload_success_timestamp_seconds");
  EXPECT_GT(at_start, 0);
  clock_.Advance(std::chrono::seconds(30));
  runtime_.ReloadFailed();
  clock_.Advance(std::chrono::seconds(2));  // the registry is read again after a second
  EXPECT_EQ(Self("vmq_exporter_config_last_reload_successful"), 0);
  EXPECT_EQ(Self("vmq_exporter_config_last_reload_success_timestamp_seconds"), at_start);
  runtime_.Reload(Load(Targets({"a", "b"})));
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(Self("vmq_exporter_config_last_reload_successful"), 1);
  EXPECT_NEAR(Self("vmq_exporter_config_last_reload_success_timestamp_seconds"), at_start + 32,
              0.01);
}

TEST_F(ReloadTest, NoPollSeesHalfOfAReload) {
  // Polls of both targets from two threads while reloads switch between two configurations
  // with different windows and signals, scraped meanwhile: every page has the families of one
  // configuration only, and no poll is lost.
  constexpr int kPolls = 300;
  const config::Config with_30s = Load(Targets({"a", "b"}) + "windows: [30s, 1m]\n");
  const config::Config with_5m = Load(Targets({"a", "b"}));
  std::atomic<bool> done{false};
  auto polls = [&](const std::string& target) {
    for (int i = 0; i < kPolls; ++i) Poll(target, static_cast<uint64_t>(i));
  };
  std::thread a(polls, "a");
  std::thread b(polls, "b");
  std::thread reloads([&] {
    for (int i = 0; !done.load(); ++i) runtime_.Reload(i % 2 == 0 ? with_30s : with_5m);
  });
  int mixed = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string page = Page();
    const bool has_30s = page.find("window=\"30s\"") != std::string::npos;
    const bool has_5m = page.find("window=\"5m\"") != std::string::npos;
    if (has_30s && has_5m) ++mixed;
  }
  a.join();
  b.join();
  done = true;
  reloads.join();
  EXPECT_EQ(mixed, 0);
  EXPECT_EQ(testing::SampleValue(Page(), "vmq_target_polls_total{target=\"a\"}"), kPolls);
  EXPECT_EQ(testing::SampleValue(Page(), "vmq_target_polls_total{target=\"b\"}"), kPolls);
}

}  // namespace
}  // namespace vmq::app
