// The Prometheus rule file generated from the alerts: section.

#include "alerting/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "alerting/promql.h"
#include "common/fixtures.h"

namespace vmq::alerting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kTargets[] = "targets:\n  - url: http://127.0.0.1:8888/metrics\n";

config::Config Load(const std::string& extra = "") {
  return config::LoadString(kTargets + extra, "c.yaml");
}

YAML::Node Rules(const config::Config& config) { return YAML::Load(RenderRuleFile(config)); }

// Every rule of the file in order, with its group.
std::vector<std::string> RuleNames(const YAML::Node& file) {
  std::vector<std::string> names;
  for (const YAML::Node& group : file["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      names.push_back(group["name"].as<std::string>() + "/" + rule["alert"].as<std::string>() +
                      "/" + rule["labels"]["severity"].as<std::string>());
    }
  }
  return names;
}

YAML::Node RuleAt(const YAML::Node& file, size_t group, size_t rule) {
  return file["groups"][group]["rules"][rule];
}

TEST(RuleFile, IsDeterministic) { EXPECT_EQ(RenderRuleFile(Load()), RenderRuleFile(Load())); }

TEST(RuleFile, SaysHowToRegenerateIt) {
  EXPECT_THAT(RenderRuleFile(Load()),
              StartsWith("# Prometheus alerting rules for vernemq-pubcomp-exporter"));
  EXPECT_THAT(RenderRuleFile(Load()),
              HasSubstr("vernemq-pubcomp-exporter --alerts.print-rules --config.file="));
}

TEST(RuleFile, HasTheSignalAlertsThenTheHealthAlerts) {
  EXPECT_THAT(RuleNames(Rules(Load())),
              ElementsAre("vernemq-pubcomp/VerneMQPubcompUnexpected/warning",
                          "vernemq-pubcomp/VerneMQPubcompReceivedUnsuccessful/warning",
                          "vernemq-pubcomp/VerneMQPubcompSentUnsuccessful/warning",
                          "vernemq-pubcomp-exporter/VerneMQTargetDown/warning",
                          "vernemq-pubcomp-exporter/VerneMQExporterStale/warning",
                          "vernemq-pubcomp-exporter/VerneMQTargetNotVerneMQ/warning"));
}

TEST(RuleFile, SignalAlertIsTheHysteresisInPromQL) {
  const YAML::Node rule = RuleAt(Rules(Load()), 0, 0);
  EXPECT_EQ(rule["expr"].as<std::string>(),
            "(\n"
            "  sum by (job, instance, target, node, mqtt_version) "
            "(vmq_pubcomp_unexpected_received{window=\"1m\"}) > 5\n"
            ")\n"
            "or\n"
            "(\n"
            "  sum by (job, instance, target, node, mqtt_version) "
            "(vmq_pubcomp_unexpected_received{window=\"1m\"}) > 0\n"
            "  and on (job, instance, target, node, mqtt_version)\n"
            "    ALERTS{alertname=\"VerneMQPubcompUnexpected\", alertstate=\"firing\", "
            "severity=\"warning\"}\n"
            ")\n"
            "or\n"
            "(\n"
            "  sum by (job, instance, target, node, mqtt_version) "
            "(vmq_pubcomp_unexpected_received{window=\"1m\"})\n"
            "  and on (job, instance, target) vmq_window_coverage_ratio{window=\"1m\"} < 1\n"
            "  and on (job, instance, target, node, mqtt_version)\n"
            "    ALERTS{alertname=\"VerneMQPubcompUnexpected\", alertstate=\"firing\", "
            "severity=\"warning\"}\n"
            ")\n");
  EXPECT_FALSE(rule["for"]);
}

TEST(RuleFile, SignalAlertCarriesRoutingLabelsAndTexts) {
  const config::Config config = Load("alerts:\n  runbook_url: https://wiki.example/rb/\n");
  const YAML::Node rule = RuleAt(Rules(config), 0, 1);
  EXPECT_EQ(rule["alert"].as<std::string>(), "VerneMQPubcompReceivedUnsuccessful");
  EXPECT_EQ(rule["labels"]["severity"].as<std::string>(), "warning");
  EXPECT_EQ(rule["labels"]["component"].as<std::string>(), "VerneMQ");
  EXPECT_EQ(rule["labels"]["signal"].as<std::string>(), "vmq_pubcomp_received_unsuccessful");
  EXPECT_EQ(rule["annotations"]["summary"].as<std::string>(), config.alerts.rules[1].summary);
  EXPECT_EQ(rule["annotations"]["description"].as<std::string>(),
            config.alerts.rules[1].description);
  EXPECT_EQ(rule["annotations"]["runbook_url"].as<std::string>(),
            "https://wiki.example/rb/VerneMQPubcompReceivedUnsuccessful.md");
}

TEST(RuleFile, LeavesRunbookOutWhenNoneIsConfigured) {
  EXPECT_THAT(RenderRuleFile(Load()), Not(HasSubstr("runbook_url")));
}

// The notification says what the count is worth: the window's coverage at evaluation time,
// read from the same exporter and target as the count.
TEST(RuleFile, SignalAlertSaysWhatCoverageMeansForTheCount) {
  const std::string coverage =
      RuleAt(Rules(Load("alerts:\n  window: 5m\n")), 0, 0)["annotations"]["coverage"]
          .as<std::string>();
  EXPECT_THAT(coverage, HasSubstr("vmq_window_coverage_ratio{job=%q, instance=%q, target=%q, "
                                  "window=%q}\" $labels.job $labels.instance $labels.target "
                                  "\"5m\" | query"));
  EXPECT_THAT(coverage, HasSubstr("humanizePercentage"));
  EXPECT_THAT(coverage, HasSubstr("of the last 5m was covered by successful polls"));
  EXPECT_THAT(coverage, HasSubstr("the count is a lower bound"));
  // Health alerts have no count.
  EXPECT_FALSE(RuleAt(Rules(Load()), 1, 0)["annotations"]["coverage"]);
}

TEST(RuleFile, TakesThresholdsWindowAndSeverityFromTheConfig) {
  const std::string expr = RuleAt(Rules(Load("alerts:\n"
                                             "  window: 5m\n"
                                             "  rules:\n"
                                             "    - alert: VerneMQPubcompUnexpected\n"
                                             "      raise_above: 7\n"
                                             "      hold_above: 2\n"
                                             "      severity: page\n")),
                                  0, 0)["expr"]
                               .as<std::string>();
  EXPECT_THAT(expr, HasSubstr("(vmq_pubcomp_unexpected_received{window=\"5m\"}) > 7\n"));
  EXPECT_THAT(expr, HasSubstr("(vmq_pubcomp_unexpected_received{window=\"5m\"}) > 2\n"));
  EXPECT_THAT(expr, HasSubstr("vmq_window_coverage_ratio{window=\"5m\"} < 1"));
  EXPECT_THAT(expr, HasSubstr("severity=\"page\"}"));
}

TEST(RuleFile, AddsACriticalRuleWhenCriticalAboveIsSet) {
  const YAML::Node file =
      Rules(Load("alerts:\n"
                 "  rules:\n"
                 "    - alert: VerneMQPubcompSentUnsuccessful\n"
                 "      critical_above: 50\n"));
  EXPECT_THAT(RuleNames(file),
              ElementsAre("vernemq-pubcomp/VerneMQPubcompUnexpected/warning",
                          "vernemq-pubcomp/VerneMQPubcompReceivedUnsuccessful/warning",
                          "vernemq-pubcomp/VerneMQPubcompSentUnsuccessful/warning",
                          "vernemq-pubcomp/VerneMQPubcompSentUnsuccessful/critical",
                          "vernemq-pubcomp-exporter/VerneMQTargetDown/warning",
                          "vernemq-pubcomp-exporter/VerneMQExporterStale/warning",
                          "vernemq-pubcomp-exporter/VerneMQTargetNotVerneMQ/warning"));
  const std::string expr = RuleAt(file, 0, 3)["expr"].as<std::string>();
  // Raised above critical_above, held above raise_above, on its own (critical) ALERTS series.
  EXPECT_THAT(expr, HasSubstr("{window=\"1m\"}) > 50\n"));
  EXPECT_THAT(expr, HasSubstr("{window=\"1m\"}) > 5\n"));
  EXPECT_THAT(expr, HasSubstr("alertname=\"VerneMQPubcompSentUnsuccessful\", "
                              "alertstate=\"firing\", severity=\"critical\"}"));
}

TEST(RuleFile, AddsConfiguredAlertsOnOtherSignals) {
  const YAML::Node file =
      Rules(Load("signals:\n"
                 "  - name: vmq_puback_unexpected_received\n"
                 "    help: Unexpected PUBACKs.\n"
                 "    source: mqtt_puback_invalid_error\n"
                 "alerts:\n"
                 "  rules:\n"
                 "    - alert: VerneMQPubackUnexpected\n"
                 "      signal: vmq_puback_unexpected_received\n"));
  const YAML::Node rule = RuleAt(file, 0, 3);
  EXPECT_EQ(rule["alert"].as<std::string>(), "VerneMQPubackUnexpected");
  EXPECT_THAT(rule["expr"].as<std::string>(),
              HasSubstr("(vmq_puback_unexpected_received{window=\"1m\"}) > 5"));
}

TEST(RuleFile, TargetDownWaitsTheConfiguredTime) {
  const YAML::Node rule = RuleAt(Rules(Load("alerts:\n  target_down_for: 90s\n")), 1, 0);
  EXPECT_EQ(rule["alert"].as<std::string>(), "VerneMQTargetDown");
  EXPECT_EQ(rule["expr"].as<std::string>(), "vmq_target_up == 0\n");
  EXPECT_EQ(rule["for"].as<std::string>(), "1m30s");
}

TEST(RuleFile, StaleThresholdIsIntervalsTimesPollInterval) {
  const std::string expr = RuleAt(Rules(Load("poll:\n  interval: 10s\n  timeout: 5s\n"
                                             "alerts:\n  stale_after_intervals: 4\n")),
                                  1, 1)["expr"]
                               .as<std::string>();
  EXPECT_THAT(expr, HasSubstr("- vmq_target_last_success_timestamp_seconds > 40\n"));
  EXPECT_THAT(expr, HasSubstr("and on (job, instance, target) vmq_target_up == 1"));
}

TEST(RuleFile, StaleThresholdKeepsFractionsOfASecond) {
  const std::string expr =
      RuleAt(Rules(Load("poll:\n  interval: 800ms\n  timeout: 500ms\nwindows: [1m]\n")), 1,
             1)["expr"]
          .as<std::string>();
  EXPECT_THAT(expr, HasSubstr("> 2.4\n"));
}

TEST(RuleFile, NotVerneMQWatchesItsPollErrorReason) {
  const YAML::Node rule = RuleAt(Rules(Load()), 1, 2);
  EXPECT_EQ(rule["alert"].as<std::string>(), "VerneMQTargetNotVerneMQ");
  EXPECT_EQ(rule["expr"].as<std::string>(),
            "increase(vmq_target_poll_errors_total{reason=\"not_vernemq\"}[5m]) > 0\n");
}

// The shipped config.yaml names no runbook base: a placeholder would link every alert to a
// page that does not exist.
TEST(RuleFile, ShippedConfigLinksNoRunbook) {
  EXPECT_THAT(RenderRuleFile(config::LoadFile(std::string(VMQ_SOURCE_DIR) + "/config.yaml")),
              Not(HasSubstr("runbook_url")));
}

// With a base URL set, every alert of the shipped config links a runbook that
// docs/runbooks/ has.
TEST(RuleFile, EveryAlertLinksAnExistingRunbookOnceABaseIsSet) {
  std::string text;
  ASSERT_TRUE(testing::ReadFile(std::string(VMQ_SOURCE_DIR) + "/config.yaml", &text));
  const std::string marker = "\nalerts:\n";
  const size_t at = text.find(marker);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + marker.size(), "  runbook_url: https://wiki.example/vmq/runbooks/\n");
  const YAML::Node file = Rules(config::LoadString(text, "config.yaml"));
  int alerts = 0;
  for (const YAML::Node& group : file["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string alert = rule["alert"].as<std::string>();
      EXPECT_EQ(rule["annotations"]["runbook_url"].as<std::string>(),
                "https://wiki.example/vmq/runbooks/" + alert + ".md");
      EXPECT_TRUE(
          std::filesystem::exists(std::string(VMQ_SOURCE_DIR) + "/docs/runbooks/" + alert + ".md"))
          << alert;
      ++alerts;
    }
  }
  EXPECT_EQ(alerts, 6);
}

TEST(FormatSeconds, WritesWholeAndFractionalSeconds) {
  EXPECT_EQ(detail::FormatSeconds(Millis(15000)), "15");
  EXPECT_EQ(detail::FormatSeconds(Millis(2400)), "2.4");
  EXPECT_EQ(detail::FormatSeconds(Millis(1005)), "1.005");
  EXPECT_EQ(detail::FormatSeconds(Millis(250)), "0.25");
}

}  // namespace
}  // namespace vmq::alerting
