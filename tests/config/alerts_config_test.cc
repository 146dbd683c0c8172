// The alerts: section: defaults, merging with the built-in rules, and every way it can be wrong.

#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/load_error.h"

namespace vmq::config {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

#define TARGETS "targets:\n  - url: http://vmq:8888/metrics\n"

std::vector<std::string> AlertNames(const Config& config) {
  std::vector<std::string> names;
  for (const AlertRule& rule : config.alerts.rules) names.push_back(rule.alert);
  return names;
}

const AlertRule& Rule(const Config& config, const std::string& alert) {
  const auto it = std::find_if(config.alerts.rules.begin(), config.alerts.rules.end(),
                               [&](const AlertRule& rule) { return rule.alert == alert; });
  if (it == config.alerts.rules.end()) throw std::runtime_error("no alert " + alert);
  return *it;
}

using testing::ErrorOf;

TEST(AlertsSection, DefaultsToThePubcompAlertsOverOneMinute) {
  const Config config = LoadString(TARGETS, "c.yaml");
  EXPECT_EQ(config.alerts.window.text, "1m");
  EXPECT_EQ(config.alerts.window.length, minutes(1));
  EXPECT_EQ(config.alerts.runbook_url, "");
  EXPECT_EQ(config.alerts.target_down_for, minutes(2));
  EXPECT_EQ(config.alerts.stale_after_intervals, 3u);
  EXPECT_THAT(AlertNames(config),
              ElementsAre("VerneMQPubcompUnexpected", "VerneMQPubcompReceivedUnsuccessful",
                          "VerneMQPubcompSentUnsuccessful"));
  for (const AlertRule& rule : config.alerts.rules) {
    EXPECT_EQ(rule.raise_above, 5u) << rule.alert;
    EXPECT_EQ(rule.hold_above, 0u) << rule.alert;
    EXPECT_EQ(rule.critical_above, std::nullopt) << rule.alert;
    EXPECT_EQ(rule.severity, "warning") << rule.alert;
    EXPECT_THAT(rule.description, HasSubstr("{{ $value }}")) << rule.alert;
    EXPECT_THAT(rule.description, HasSubstr("in the last 1m")) << rule.alert;
  }
  EXPECT_EQ(Rule(config, "VerneMQPubcompUnexpected").signal, "vmq_pubcomp_unexpected_received");
  EXPECT_EQ(Rule(config, "VerneMQPubcompReceivedUnsuccessful").signal,
            "vmq_pubcomp_received_unsuccessful");
  EXPECT_EQ(Rule(config, "VerneMQPubcompSentUnsuccessful").signal, "vmq_pubcomp_sent_unsuccessful");
}

// config.yaml spells the built-in alerts out so that users see the thresholds they can change;
// it must not change them.
TEST(AlertsSection, ShippedConfigSpellsOutTheBuiltInAlerts) {
  const Config config = LoadFile(std::string(VMQ_SOURCE_DIR) + "/config.yaml");
  const std::vector<AlertRule> defaults = DefaultAlertRules("1m");
  ASSERT_EQ(config.alerts.rules.size(), defaults.size());
  for (size_t i = 0; i < defaults.size(); ++i) {
    const AlertRule& rule = config.alerts.rules[i];
    EXPECT_EQ(rule.alert, defaults[i].alert);
    EXPECT_EQ(rule.signal, defaults[i].signal);
    EXPECT_EQ(rule.raise_above, defaults[i].raise_above);
    EXPECT_EQ(rule.hold_above, defaults[i].hold_above);
    EXPECT_EQ(rule.critical_above, defaults[i].critical_above);
    EXPECT_EQ(rule.severity, defaults[i].severity);
    EXPECT_EQ(rule.summary, defaults[i].summary);
    EXPECT_EQ(rule.description, defaults[i].description);
  }
  EXPECT_EQ(config.alerts.window.text, "1m");
  // No placeholder base: without a real one the alerts carry no runbook_url at all.
  EXPECT_EQ(config.alerts.runbook_url, "");
}

TEST(AlertsSection, EmptySectionMeansDefaults) {
  const Config config = LoadString(TARGETS "alerts:\n", "c.yaml");
  EXPECT_EQ(config.alerts.rules.size(), 3u);
  EXPECT_EQ(config.alerts.window.text, "1m");
}

TEST(AlertsSection, WithoutAOneMinuteWindowUsesTheShortestWindow) {
  const Config config = LoadString(TARGETS "windows: [1h, 5m]\n", "c.yaml");
  EXPECT_EQ(config.alerts.window.text, "5m");
  EXPECT_THAT(config.alerts.rules[0].description, HasSubstr("in the last 5m"));
}

TEST(AlertsSection, WindowTakesTheSpellingOfTheConfiguredWindow) {
  const Config config = LoadString(TARGETS "windows: [60s, 5m]\nalerts:\n  window: 1m\n", "c.yaml");
  EXPECT_EQ(config.alerts.window.text, "60s");
}

TEST(AlertsSection, ReadsSettings) {
  const Config config = LoadString(TARGETS
                                   "alerts:\n"
                                   "  window: 5m\n"
                                   "  runbook_url: https://wiki.example/runbooks/\n"
                                   "  target_down_for: 30s\n"
                                   "  stale_after_intervals: 4\n",
                                   "c.yaml");
  EXPECT_EQ(config.alerts.window.text, "5m");
  EXPECT_EQ(config.alerts.runbook_url, "https://wiki.example/runbooks/");
  EXPECT_EQ(config.alerts.target_down_for, seconds(30));
  EXPECT_EQ(config.alerts.stale_after_intervals, 4u);
}

TEST(AlertsSection, RuleWithBuiltInNameOverridesOnlyWhatItSays) {
  const Config config = LoadString(TARGETS
                                   "alerts:\n"
                                   "  rules:\n"
                                   "    - alert: VerneMQPubcompUnexpected\n"
                                   "      raise_above: 10\n"
                                   "      critical_above: 50\n",
                                   "c.yaml");
  ASSERT_EQ(config.alerts.rules.size(), 3u);
  const AlertRule& rule = config.alerts.rules[0];
  EXPECT_EQ(rule.alert, "VerneMQPubcompUnexpected");
  EXPECT_EQ(rule.signal, "vmq_pubcomp_unexpected_received");
  EXPECT_EQ(rule.raise_above, 10u);
  EXPECT_EQ(rule.hold_above, 0u);
  EXPECT_THAT(rule.critical_above, Optional(50u));
  EXPECT_EQ(rule.summary, DefaultAlertRules("1m")[0].summary);
}

TEST(AlertsSection, NullCriticalAboveMeansNone) {
  const Config config = LoadString(TARGETS
                                   "alerts:\n"
                                   "  rules:\n"
                                   "    - alert: VerneMQPubcompUnexpected\n"
                                   "      critical_above: null\n",
                                   "c.yaml");
  EXPECT_EQ(config.alerts.rules[0].critical_above, std::nullopt);
}

TEST(AlertsSection, NewRuleOnAConfiguredSignalIsAddedAfterBuiltIns) {
  const Config config = LoadString(TARGETS
                                   "signals:\n"
                                   "  - name: vmq_puback_unexpected_received\n"
                                   "    help: Unexpected PUBACKs.\n"
                                   "    source: mqtt_puback_invalid_error\n"
                                   "alerts:\n"
                                   "  rules:\n"
                                   "    - alert: VerneMQPubackUnexpected\n"
                                   "      signal: vmq_puback_unexpected_received\n"
                                   "      raise_above: 2\n"
                                   "      hold_above: 1\n"
                                   "      severity: page\n",
                                   "c.yaml");
  ASSERT_EQ(config.alerts.rules.size(), 4u);
  const AlertRule& rule = config.alerts.rules[3];
  EXPECT_EQ(rule.alert, "VerneMQPubackUnexpected");
  EXPECT_EQ(rule.signal, "vmq_puback_unexpected_received");
  EXPECT_EQ(rule.raise_above, 2u);
  EXPECT_EQ(rule.hold_above, 1u);
  EXPECT_EQ(rule.severity, "page");
  EXPECT_THAT(rule.summary, HasSubstr("vmq_puback_unexpected_received"));
  EXPECT_THAT(rule.description, HasSubstr("{{ $value }}"));
}

TEST(AlertsSection, AllowsHoldEqualToRaise) {
  const Config config = LoadString(TARGETS
                                   "alerts:\n"
                                   "  rules:\n"
                                   "    - alert: VerneMQPubcompUnexpected\n"
                                   "      raise_above: 3\n"
                                   "      hold_above: 3\n",
                                   "c.yaml");
  EXPECT_EQ(config.alerts.rules[0].hold_above, 3u);
}

TEST(AlertsSection, TakesCustomTexts) {
  const Config config = LoadString(TARGETS
                                   "alerts:\n"
                                   "  rules:\n"
                                   "    - alert: VerneMQPubcompSentUnsuccessful\n"
                                   "      summary: S {{ $labels.node }}\n"
                                   "      description: D {{ $value }}\n",
                                   "c.yaml");
  EXPECT_EQ(config.alerts.rules[2].summary, "S {{ $labels.node }}");
  EXPECT_EQ(config.alerts.rules[2].description, "D {{ $value }}");
}

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* error;
};

class RejectsAlerts : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RejectsAlerts, AtTheOffendingPosition) {
  EXPECT_EQ(ErrorOf(GetParam().yaml), GetParam().error) << GetParam().yaml;
}

#define RULES TARGETS "alerts:\n  rules:\n"

const ErrorCase kAlertErrors[] = {
    {"SectionNotMap", TARGETS "alerts: [1m]\n",
     "c.yaml:3:9: alerts must be a map of alert settings (window, runbook_url, target_down_for, "
     "stale_after_intervals, rules), but it is a list"},
    {"UnknownKey", TARGETS "alerts:\n  windw: 1m\n",
     "c.yaml:4:3: unknown key \"windw\" in alerts; allowed keys: window, runbook_url, "
     "target_down_for, stale_after_intervals, rules"},
    {"WindowNotConfigured", TARGETS "windows: [1m, 5m]\nalerts:\n  window: 2m\n",
     "c.yaml:5:11: alerts.window (2m) is not one of the configured windows (1m, 5m); use one of "
     "them or add it to windows:"},
    {"WindowBadDuration", TARGETS "alerts:\n  window: 1 minute\n",
     "c.yaml:4:11: alerts.window \"1 minute\" is not a valid duration; write a positive duration "
     "such as 800ms, 5s, 1m or 1h30m (units ms, s, m, h, d, w, y, largest first, each at most "
     "once)"},
    {"RunbookUrlWithSpace", TARGETS "alerts:\n  runbook_url: http://wiki/run books/\n",
     "c.yaml:4:16: alerts.runbook_url \"http://wiki/run books/\" must be a URL without spaces; "
     "the alert name and .md are appended to it"},
    {"TargetDownForNotDuration", TARGETS "alerts:\n  target_down_for: 2\n",
     "c.yaml:4:20: alerts.target_down_for \"2\" is not a valid duration; write a positive "
     "duration such as 800ms, 5s, 1m or 1h30m (units ms, s, m, h, d, w, y, largest first, each "
     "at most once)"},
    {"StaleAfterOneInterval", TARGETS "alerts:\n  stale_after_intervals: 1\n",
     "c.yaml:4:26: alerts.stale_after_intervals \"1\" must be a whole number of poll intervals, "
     "at least 2 (a healthy poll can finish up to interval + timeout after the previous one)"},
    {"RulesNotList", TARGETS "alerts:\n  rules: {alert: X}\n",
     "c.yaml:4:10: alerts.rules must be a list of alerts, each a map with alert: and optional "
     "signal:, raise_above:, hold_above:, critical_above:, severity:, summary:, description:, "
     "but it is a map"},
    {"RuleWithoutAlert", RULES "    - raise_above: 3\n",
     "c.yaml:5:7: alerts.rules[0] has no alert; add alert: with the alert name"},
    {"UnknownRuleKey", RULES "    - alert: VerneMQPubcompUnexpected\n      raise: 3\n",
     "c.yaml:6:7: unknown key \"raise\" in alerts.rules[0]; allowed keys: alert, signal, "
     "raise_above, hold_above, critical_above, severity, summary, description"},
    {"InvalidAlertName", RULES "    - alert: VerneMQ Pubcomp\n      signal: vmq_pubcomp_sent\n",
     "c.yaml:5:14: alerts.rules[0].alert \"VerneMQ Pubcomp\" is not a valid alert name; use "
     "letters, digits, _ and :, not starting with a digit, such as VerneMQPubcompUnexpected"},
    {"AlertNameStartingWithDigit", RULES "    - alert: 1Alert\n      signal: vmq_pubcomp_sent\n",
     "c.yaml:5:14: alerts.rules[0].alert \"1Alert\" is not a valid alert name; use letters, "
     "digits, _ and :, not starting with a digit, such as VerneMQPubcompUnexpected"},
    {"HealthAlertName", RULES "    - alert: VerneMQTargetDown\n      signal: vmq_pubcomp_sent\n",
     "c.yaml:5:14: alerts.rules[0].alert \"VerneMQTargetDown\" is the name of a built-in exporter "
     "health alert; choose another name"},
    {"DuplicateAlertName",
     RULES "    - alert: VerneMQPubcompUnexpected\n"
           "      raise_above: 3\n"
           "    - alert: VerneMQPubcompUnexpected\n"
           "      raise_above: 4\n",
     "c.yaml:7:14: alerts.rules[1].alert \"VerneMQPubcompUnexpected\" is already used by "
     "alerts.rules[0].alert (line 5); alert names must be unique"},
    {"NewAlertWithoutSignal", RULES "    - alert: MyAlert\n      raise_above: 3\n",
     "c.yaml:5:7: alerts.rules[0] has no signal; a new alert needs signal: with the name of a "
     "configured signal"},
    {"UnknownSignal", RULES "    - alert: MyAlert\n      signal: vmq_pubrec_unexpected\n",
     "c.yaml:6:15: alerts.rules[0].signal \"vmq_pubrec_unexpected\" is not a configured signal; "
     "use one of vmq_pubcomp_unexpected_received, vmq_pubcomp_received, "
     "vmq_pubcomp_received_unsuccessful, vmq_pubcomp_sent, vmq_pubcomp_sent_unsuccessful, or add "
     "it under signals:"},
    {"UnknownSignalOnBuiltIn", RULES "    - alert: VerneMQPubcompUnexpected\n      signal: nope\n",
     "c.yaml:6:15: alerts.rules[0].signal \"nope\" is not a configured signal; use one of "
     "vmq_pubcomp_unexpected_received, vmq_pubcomp_received, vmq_pubcomp_received_unsuccessful, "
     "vmq_pubcomp_sent, vmq_pubcomp_sent_unsuccessful, or add it under signals:"},
    {"FractionalThreshold", RULES "    - alert: VerneMQPubcompUnexpected\n      raise_above: 5.5\n",
     "c.yaml:6:20: alerts.rules[0].raise_above \"5.5\" must be a whole number of events (0 or "
     "more), such as 5"},
    {"NegativeThreshold", RULES "    - alert: VerneMQPubcompUnexpected\n      hold_above: -1\n",
     "c.yaml:6:19: alerts.rules[0].hold_above \"-1\" must be a whole number of events (0 or "
     "more), such as 5"},
    {"EmptyThreshold", RULES "    - alert: VerneMQPubcompUnexpected\n      raise_above:\n",
     "c.yaml:6:7: alerts.rules[0].raise_above must be a whole number of events such as 5, but it "
     "is empty"},
    {"HoldAboveRaise", RULES "    - alert: VerneMQPubcompUnexpected\n      hold_above: 6\n",
     "c.yaml:6:19: alerts.rules[0].hold_above (6) must not be above raise_above (5, the "
     "default); a raised alert holds while the count stays above hold_above"},
    {"RaiseBelowDefaultHold",
     RULES "    - alert: VerneMQPubcompUnexpected\n      hold_above: 3\n      raise_above: 2\n",
     "c.yaml:6:19: alerts.rules[0].hold_above (3) must not be above raise_above (2); a raised "
     "alert holds while the count stays above hold_above"},
    {"CriticalNotAboveRaise",
     RULES "    - alert: VerneMQPubcompUnexpected\n      critical_above: 5\n",
     "c.yaml:6:23: alerts.rules[0].critical_above (5) must be above raise_above (5, the "
     "default); raise it or remove critical_above"},
    {"CriticalBelowRaise",
     RULES
     "    - alert: VerneMQPubcompUnexpected\n      raise_above: 10\n      critical_above: 3\n",
     "c.yaml:7:23: alerts.rules[0].critical_above (3) must be above raise_above (10); raise it "
     "or remove critical_above"},
    {"CriticalSeverityWithCriticalAbove",
     RULES
     "    - alert: VerneMQPubcompUnexpected\n      severity: critical\n      critical_above: 9\n",
     "c.yaml:6:17: alerts.rules[0].severity \"critical\" is the severity of the critical_above "
     "alert; use another severity such as warning, or remove critical_above"},
    {"BadSeverity", RULES "    - alert: VerneMQPubcompUnexpected\n      severity: Warning!\n",
     "c.yaml:6:17: alerts.rules[0].severity \"Warning!\" must be a severity made of lowercase "
     "letters, digits, _ and -, such as warning"},
    {"EmptySummary", RULES "    - alert: VerneMQPubcompUnexpected\n      summary: ''\n",
     "c.yaml:6:16: alerts.rules[0].summary is empty; write a text or remove the key"},
};

#undef RULES
#undef TARGETS

std::string CaseName(const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Alerts, RejectsAlerts, ::testing::ValuesIn(kAlertErrors), CaseName);

}  // namespace
}  // namespace vmq::config
