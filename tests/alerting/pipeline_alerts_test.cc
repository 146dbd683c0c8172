// vmq_alert_state as the exporter serves it: the runtime evaluates the alerts of config.yaml
// after every poll, with a fake clock and hand-made VerneMQ pages.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "alerting/rule_file.h"
#include "app/runtime.h"
#include "common/clock.h"
#include "common/fixtures.h"
#include "common/http.h"
#include "common/log.h"
#include "common/process.h"
#include "config/config.h"

namespace vmq {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr Millis kInterval{5000};
constexpr char kNode[] = "VerneMQ@a";

std::string ShippedConfigPath() { return std::string(VMQ_SOURCE_DIR) + "/config.yaml"; }

std::string ShippedConfigText() {
  std::string text;
  EXPECT_TRUE(testing::ReadFile(ShippedConfigPath(), &text));
  return text;
}

// config.yaml with the first `from` replaced by `to`, loaded from a temporary copy.
config::Config EditedShippedConfig(const testing::TempDir& dir, const std::string& from,
                                   const std::string& to) {
  std::string text = ShippedConfigText();
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return config::LoadFile(dir.Write("config.yaml", text));
}

std::string VerneMQPage(uint64_t uptime_ms, uint64_t unexpected_v4, uint64_t unexpected_v5) {
  std::ostringstream page;
  page << "# TYPE vernemq_mqtt_publish_error counter\n"
       << "vernemq_mqtt_publish_error{node=\"" << kNode << "\",mqtt_version=\"4\"} 0\n"
       << "# TYPE vernemq_system_wallclock counter\n"
       << "vernemq_system_wallclock{node=\"" << kNode << "\"} " << uptime_ms << "\n"
       << "# TYPE vernemq_mqtt_pubcomp_invalid_error counter\n"
       << "vernemq_mqtt_pubcomp_invalid_error{node=\"" << kNode << "\",mqtt_version=\"4\"} "
       << unexpected_v4 << "\n"
       << "vernemq_mqtt_pubcomp_invalid_error{node=\"" << kNode << "\",mqtt_version=\"5\"} "
       << unexpected_v5 << "\n";
  return page.str();
}

// One exporter pipeline polling the config's first target every 5 s of fake time.
class PipelineAlerts {
 public:
  explicit PipelineAlerts(config::Config config)
      : target_(config.targets[0].name),
        runtime_(std::move(config), clock_, logger_, {"test", "test"}) {}

  // One successful poll `after` the previous one; counters are cumulative totals.
  void Poll(uint64_t unexpected_v4, uint64_t unexpected_v5 = 0, Millis after = kInterval) {
    clock_.Advance(after);
    uptime_ms_ += after.count();
    poll::PollResult result;
    result.http_status = 200;
    result.body = VerneMQPage(uptime_ms_, unexpected_v4, unexpected_v5);
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult(target_, std::move(result));
  }

  // `count` polls with the same counters.
  void PollTimes(int count, uint64_t unexpected_v4, uint64_t unexpected_v5 = 0) {
    for (int i = 0; i < count; ++i) Poll(unexpected_v4, unexpected_v5);
  }

  void FailedPoll() {
    clock_.Advance(kInterval);
    poll::PollResult result;
    result.error = poll::PollError::kConnect;
    result.detail = "connection refused";
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult(target_, std::move(result));
  }

  std::string MetricsPage() const { return runtime_.page().Current()->metrics_text; }

  // NaN when the series is absent.
  double State(const std::string& alert, const std::string& version) const {
    return testing::SampleValue(MetricsPage(), "vmq_alert_state{alert=\"" + alert + "\",target=\"" +
                                                   target_ + "\",node=\"" + kNode +
                                                   "\",mqtt_version=\"" + version + "\"}");
  }
  double Unexpected(const std::string& version) const { return State(kUnexpected, version); }
  // The window gauge the alert reads.
  double Count(const std::string& version) const {
    return testing::SampleValue(
        MetricsPage(), "vmq_pubcomp_unexpected_received{target=\"" + target_ + "\",node=\"" +
                           kNode + "\",mqtt_version=\"" + version + "\",window=\"1m\"}");
  }
  double Coverage() const {
    return testing::SampleValue(
        MetricsPage(), "vmq_window_coverage_ratio{target=\"" + target_ + "\",window=\"1m\"}");
  }

  static constexpr char kUnexpected[] = "VerneMQPubcompUnexpected";

 private:
  std::string target_;
  FakeClock clock_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kError, LogFormat::kLogfmt};
  app::Runtime runtime_;
  uint64_t uptime_ms_ = 1'000'000;
};

// 13 polls 5 s apart: the 1m window is fully covered from the last one on.
constexpr int kPollsToCoverAMinute = 13;

TEST(PipelineAlerts, PublishesOkPerNodeAndVersionOnceCovered) {
  PipelineAlerts exporter(config::LoadFile(ShippedConfigPath()));
  exporter.PollTimes(kPollsToCoverAMinute, 0);
  EXPECT_EQ(exporter.Coverage(), 1.0);
  EXPECT_EQ(exporter.Unexpected("4"), 0);
  EXPECT_EQ(exporter.Unexpected("5"), 0);
}

TEST(PipelineAlerts, FiresAtSixNotFiveHoldsAtOneClearsAtZero) {
  PipelineAlerts exporter(config::LoadFile(ShippedConfigPath()));
  exporter.PollTimes(kPollsToCoverAMinute, 0);
  exporter.Poll(5);
  EXPECT_EQ(exporter.Count("4"), 5);
  EXPECT_EQ(exporter.Unexpected("4"), 0);
  exporter.Poll(6);
  EXPECT_EQ(exporter.Count("4"), 6);
  EXPECT_EQ(exporter.Unexpected("4"), 1);
  EXPECT_EQ(exporter.Unexpected("5"), 0);
  // Quiet polls: the first 5 events leave the 1m window 12 polls after they were seen, the
  // sixth one poll later.
  exporter.PollTimes(10, 6);
  EXPECT_EQ(exporter.Count("4"), 6);
  EXPECT_EQ(exporter.Unexpected("4"), 1);
  exporter.Poll(6);
  EXPECT_EQ(exporter.Count("4"), 1);
  EXPECT_EQ(exporter.Unexpected("4"), 1);
  exporter.Poll(6);
  EXPECT_EQ(exporter.Count("4"), 0);
  EXPECT_EQ(exporter.Unexpected("4"), 0);
}

// Right after start the window is partly covered; its count is a lower bound, so a count
// above raise_above raises at once and one at raise_above does not.
TEST(PipelineAlerts, RaisesBeforeTheWindowIsCoveredAboveTheThresholdOnly) {
  PipelineAlerts exporter(config::LoadFile(ShippedConfigPath()));
  exporter.Poll(0);
  exporter.Poll(5, 6);
  EXPECT_LT(exporter.Coverage(), 1.0);
  EXPECT_EQ(exporter.Count("4"), 5);
  EXPECT_EQ(exporter.Unexpected("4"), 0);
  EXPECT_EQ(exporter.Count("5"), 6);
  EXPECT_EQ(exporter.Unexpected("5"), 1);
}

// A poll 15 s late (more than interval + timeout) leaves a gap in the window, which stays
// partly covered until the gap has left it. The 6 events that raised the alert leave the
// window meanwhile: a count of 0 on a partly covered window does not clear the alert (the gap
// was not observed); the first fully covered window at 0 does.
TEST(PipelineAlerts, HoldsAtZeroUntilTheWindowIsCoveredThenClears) {
  PipelineAlerts exporter(config::LoadFile(ShippedConfigPath()));
  exporter.PollTimes(kPollsToCoverAMinute, 0);
  exporter.Poll(6);
  ASSERT_EQ(exporter.Unexpected("4"), 1);
  exporter.PollTimes(10, 6);
  exporter.Poll(6, 0, Millis(15000));  // 65 s after the events
  EXPECT_EQ(exporter.Count("4"), 0);
  EXPECT_LT(exporter.Coverage(), 1.0);
  EXPECT_EQ(exporter.Unexpected("4"), 1);
  int polls = 0;
  while (exporter.Coverage() < 1.0 && polls++ < 20) {
    EXPECT_EQ(exporter.Unexpected("4"), 1) << "coverage " << exporter.Coverage();
    exporter.Poll(6);
  }
  EXPECT_EQ(polls, 12) << "the gap leaves the window a minute after it ended";
  EXPECT_EQ(exporter.Count("4"), 0);
  EXPECT_EQ(exporter.Unexpected("4"), 0);
}

TEST(PipelineAlerts, DropsTheStateOfATargetThatIsDownAndRaisesAnewAfterwards) {
  PipelineAlerts exporter(config::LoadFile(ShippedConfigPath()));
  exporter.PollTimes(kPollsToCoverAMinute, 0);
  exporter.Poll(10);
  ASSERT_EQ(exporter.Unexpected("4"), 1);
  exporter.FailedPoll();
  EXPECT_TRUE(std::isnan(exporter.Unexpected("4")));
  EXPECT_THAT(exporter.MetricsPage(), Not(HasSubstr("vmq_alert_state{")));
  // Back up: the 10 events seen before the outage are still in the window. It is partly
  // covered now, but 10 is above 5 for certain, so the alert is raised anew at once.
  exporter.Poll(10);
  EXPECT_LT(exporter.Coverage(), 1.0);
  EXPECT_EQ(exporter.Count("4"), 10);
  EXPECT_EQ(exporter.Unexpected("4"), 1);
}

// The acceptance check of "thresholds have one home": editing a copy of config.yaml changes
// both the generated Prometheus rules and the exporter-side state.
TEST(PipelineAlerts, ThresholdInConfigYamlDrivesBothRulesAndState) {
  testing::TempDir dir;
  const config::Config shipped = config::LoadFile(ShippedConfigPath());
  const config::Config edited = EditedShippedConfig(dir, "raise_above: 5", "raise_above: 2");
  ASSERT_EQ(edited.alerts.rules[0].alert, PipelineAlerts::kUnexpected);
  ASSERT_EQ(edited.alerts.rules[0].raise_above, 2u);

  const std::string shipped_rules = alerting::RenderRuleFile(shipped);
  const std::string edited_rules = alerting::RenderRuleFile(edited);
  EXPECT_NE(shipped_rules, edited_rules);
  EXPECT_THAT(edited_rules, HasSubstr("(vmq_pubcomp_unexpected_received{window=\"1m\"}) > 2\n"));
  EXPECT_THAT(shipped_rules,
              Not(HasSubstr("(vmq_pubcomp_unexpected_received{window=\"1m\"}) > 2\n")));

  PipelineAlerts with_shipped(shipped);
  PipelineAlerts with_edited(edited);
  for (PipelineAlerts* exporter : {&with_shipped, &with_edited}) {
    exporter->PollTimes(kPollsToCoverAMinute, 0);
    exporter->Poll(3);
  }
  EXPECT_EQ(with_shipped.Unexpected("4"), 0);
  EXPECT_EQ(with_edited.Unexpected("4"), 1);
}

TEST(PipelineAlerts, CriticalAboveInConfigYamlGivesStateTwo) {
  testing::TempDir dir;
  const config::Config edited =
      EditedShippedConfig(dir, "critical_above: null", "critical_above: 20");
  PipelineAlerts exporter(edited);
  exporter.PollTimes(kPollsToCoverAMinute, 0);
  exporter.Poll(21);
  EXPECT_EQ(exporter.Unexpected("4"), 2);
  EXPECT_THAT(alerting::RenderRuleFile(edited), HasSubstr("severity=\"critical\"}"));
}

}  // namespace
}  // namespace vmq
