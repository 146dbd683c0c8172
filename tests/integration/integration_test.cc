// The whole monitoring path with real components: vmq-sim -> exporter -> Prometheus with the
// committed alerts/*.rules.yml -> Alertmanager with the committed routing and inhibition, and
// the Grafana dashboard's queries against that Prometheus. One stack serves every test, and
// the tests wait for points on one shared timeline instead of running one after the other:
//
//   t=0    stack up; vmq-3 goes down (VerneMQTargetDown's `for:` is the longest wait)
//   t~3s   burst injected (see InjectBurst), the 1m window still mostly unobserved
//   t~6s   VerneMQPubcompUnexpected fires for vmq-2 v5 (6 events) and reaches the sysadmin
//          webhook, the window's coverage still far below 1; vmq-1 v4 (5 events) does not
//   t~65s  the burst leaves the window, now fully covered: the alert resolves
//   t~for  VerneMQTargetDown fires for vmq-3 and inhibits that target's PUBCOMP alerts

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/fixtures.h"
#include "common/process.h"
#include "integration/alertmanager_config.h"
#include "integration/api_client.h"
#include "integration/dashboard.h"
#include "integration/metrics_page.h"
#include "integration/monitoring_stack.h"
#include "integration/prometheus_server.h"

namespace vmq::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;
using Labels = std::map<std::string, std::string>;

constexpr char kUnexpected[] = "VerneMQPubcompUnexpected";
constexpr char kTargetDown[] = "VerneMQTargetDown";
// The longest VerneMQTargetDown `for:` this test waits out; the ctest TIMEOUT allows for it.
constexpr auto kTargetDownBudget = seconds(150);

// The burst puts exactly raise_above (5) events in this series: it must raise nothing.
const Labels kAtThreshold = {{"alertname", kUnexpected},
                             {"target", "vmq-1"},
                             {"node", "VerneMQ@127.0.0.1"},
                             {"mqtt_version", "4"}};

// The one series the burst raises an alert for.
const Labels kRaised = {{"alertname", kUnexpected},
                        {"target", "vmq-2"},
                        {"node", "VerneMQ@127.0.0.2"},
                        {"mqtt_version", "5"}};
const Labels kRaisedState = {{"alert", kUnexpected},
                             {"target", "vmq-2"},
                             {"node", "VerneMQ@127.0.0.2"},
                             {"mqtt_version", "5"}};

bool IsPubcompAlert(const nlohmann::json& alert) {
  const nlohmann::json& labels = alert["labels"];
  return labels.value("alertname", "").starts_with("VerneMQPubcomp") &&
         !labels.contains("synthetic");
}

// Alertmanager's alerts that are active (not suppressed) and carry `labels`.
int ActiveCount(const nlohmann::json& alerts, const Labels& labels) {
  int count = 0;
  for (const nlohmann::json& alert : alerts) {
    if (HasLabels(alert["labels"], labels) && alert["status"].value("state", "") == "active") {
      ++count;
    }
  }
  return count;
}

// Prometheus' state of the alert with `labels`: "pending", "firing" or "" when it has none.
std::string RuleState(const nlohmann::json& alerts, const Labels& labels) {
  for (const nlohmann::json& alert : alerts) {
    if (HasLabels(alert["labels"], labels)) return alert.value("state", "");
  }
  return "";
}

// The first alert notified to sysadmin with `status` and `labels`, or null.
nlohmann::json FindNotifiedAlert(const WebhookSink& sink, const std::string& status,
                                 const Labels& labels) {
  for (const std::string& body : sink.Notifications()) {
    const auto notification = nlohmann::json::parse(body, nullptr, false);
    if (notification.is_discarded() || notification.value("receiver", "") != "sysadmin") continue;
    for (const nlohmann::json& alert : notification.value("alerts", nlohmann::json::array())) {
      if (alert.value("status", "") == status && HasLabels(alert["labels"], labels)) return alert;
    }
  }
  return nullptr;
}

bool NotificationArrived(const WebhookSink& sink, const std::string& status, const Labels& labels) {
  return !FindNotifiedAlert(sink, status, labels).is_null();
}

nlohmann::json FirstWith(const nlohmann::json& alerts, const Labels& labels) {
  for (const nlohmann::json& alert : alerts) {
    if (HasLabels(alert["labels"], labels)) return alert;
  }
  return nlohmann::json::object();
}

seconds RuleFor(const nlohmann::json& groups, const std::string& alert) {
  for (const nlohmann::json& group : groups) {
    for (const nlohmann::json& rule : group["rules"]) {
      if (rule.value("name", "") == alert) return seconds(rule.value("duration", 0));
    }
  }
  return seconds(-1);
}

class RealComponents : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new MonitoringStack(VMQ_SOURCE_DIR);
    if (!stack_->ok()) return;
    down_since_ = Clock::now();
    inject_status_ = stack_->cluster().Inject("vmq-3", "down", 1, "refuse");
    InjectBurst();
  }

  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(stack_->ok()) << stack_->Diagnostics();
    ASSERT_EQ(inject_status_, 200) << "vmq-sim refused an injection";
  }

  // A window count is a lower bound of the truth, so the rules raise on it whatever the
  // window's coverage. The burst comes a few polls after the exporter started, when the 1m
  // window is still mostly unobserved: the alert must fire at once, not once the window is
  // covered a minute later; it resolves when the burst leaves the window, about a minute
  // after it. Alongside the burst come events that must NOT raise anything: exactly the
  // threshold (5) on vmq-1 in MQTT 3.1.1, the same node as the alert in MQTT 3.1.1, and
  // unsuccessful PUBCOMPs on vmq-1 below the threshold, which also give the dashboard's
  // reason-code panels data.
  static void InjectBurst() {
    // Three polls of both targets first, so that the burst is an increase between two polls.
    WaitFor([] { return Coverage("vmq-1") >= 0.05 && Coverage("vmq-2") >= 0.05; }, seconds(30));
    struct Injection {
      const char* node;
      const char* event;
      int count;
    };
    static constexpr Injection kBurst[] = {{"vmq-2", "v5_pubcomp_unknown_id", 6},
                                           {"vmq-2", "v4_pubcomp_unknown_id", 3},
                                           {"vmq-1", "v4_pubcomp_unknown_id", 5},
                                           {"vmq-1", "v5_pubcomp_unknown_id_rc92", 2},
                                           {"vmq-1", "v5_pubrel_unknown_id", 2}};
    burst_at_ = Clock::now();
    for (const Injection& injection : kBurst) {
      const int status = stack_->cluster().Inject(injection.node, injection.event, injection.count);
      if (status != 200) inject_status_ = status;
    }
  }

  static double Coverage(const std::string& target) {
    return FindSample(stack_->exporter().Metrics(), "vmq_window_coverage_ratio",
                      {{"target", target}, {"window", "1m"}})
        .value_or(0);
  }

  static std::optional<double> AlertState(const Labels& labels) {
    return FindSample(stack_->exporter().Metrics(), "vmq_alert_state", labels);
  }

  static bool RaisedInAlertmanager() {
    return ActiveCount(stack_->alertmanager().Alerts(), kRaised) == 1;
  }

  static bool FiringInPrometheus() {
    return RuleState(stack_->prometheus().Alerts(), kRaised) == "firing";
  }

  static MonitoringStack* stack_;
  static Clock::time_point down_since_;
  static Clock::time_point burst_at_;
  static int inject_status_;
};

MonitoringStack* RealComponents::stack_ = nullptr;
Clock::time_point RealComponents::down_since_;
Clock::time_point RealComponents::burst_at_;
int RealComponents::inject_status_ = 200;

// What a notification may take after the burst: the exporter's poll, Prometheus' scrape and
// rule evaluation, Alertmanager's group_wait, plus a generous allowance for a loaded machine
// (the bound catches a hang or a wait for coverage, which would take most of a minute here,
// not slowness).
seconds NotificationBudget() {
  return seconds(MonitoringStack::kPollIntervalSeconds + 2 * kTestScrapeAndEvaluationSeconds +
                 kTestGroupWaitSeconds) +
         seconds(20);
}

// The acceptance check: after an exporter start, 6 unexpected PUBCOMPs in one node's
// minute reach Alertmanager's receiver within a poll, a scrape, an evaluation and group_wait,
// while the window is still partly covered.
TEST_F(RealComponents, SixUnexpectedPubcompsAreNotifiedAtOnceOnAPartlyCoveredWindow) {
  ASSERT_TRUE(WaitFor([] { return NotificationArrived(stack_->receiver(), "firing", kRaised); },
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          burst_at_ + NotificationBudget() - Clock::now())))
      << stack_->receiver().Notifications().size() << " notifications, "
      << std::chrono::duration_cast<seconds>(Clock::now() - burst_at_).count()
      << " s after the burst";
  const double coverage = Coverage("vmq-2");
  EXPECT_LT(coverage, 1.0) << "the alert waited for a fully covered window";
  std::cout
      << "notified "
      << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - burst_at_).count()
      << " ms after the burst, coverage " << coverage << "\n";

  // The notification says the count is a lower bound on a partly covered window.
  const nlohmann::json alert = FindNotifiedAlert(stack_->receiver(), "firing", kRaised);
  const std::string note = alert["annotations"].value("coverage", "");
  EXPECT_THAT(note, ::testing::MatchesRegex("[0-9.]+% of the last 1m was covered .*"));
  EXPECT_THAT(note, ::testing::Not(::testing::StartsWith("100%"))) << note;
  EXPECT_THAT(note, ::testing::HasSubstr("the count is a lower bound"));
  EXPECT_THAT(alert["annotations"].value("description", ""), ::testing::StartsWith("6 "));
}

// 5 events are not more than raise_above (5): seen by Prometheus, never an alert.
TEST_F(RealComponents, FiveUnexpectedPubcompsRaiseNothing) {
  const std::string at_threshold =
      "vmq_pubcomp_unexpected_received{target=\"vmq-1\",node=\"VerneMQ@127.0.0.1\","
      "mqtt_version=\"4\",window=\"1m\"} == 5";
  ASSERT_TRUE(WaitFor([&] { return stack_->prometheus().Query(at_threshold).body.size() == 1; },
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          burst_at_ + NotificationBudget() - Clock::now())))
      << "Prometheus never saw the 5 events: " << stack_->exporter().Metrics();
  // Long enough for an evaluation and group_wait to pass on that count, with room to spare;
  // the six events of vmq-2, injected at the same time, are notified meanwhile.
  const auto until =
      Clock::now() + seconds(2 * kTestScrapeAndEvaluationSeconds + kTestGroupWaitSeconds + 3);
  ASSERT_TRUE(WaitFor([] { return NotificationArrived(stack_->receiver(), "firing", kRaised); },
                      seconds(30)));
  while (Clock::now() < until) {
    ASSERT_EQ(RuleState(stack_->prometheus().Alerts(), kAtThreshold), "");
    ASSERT_EQ(AlertState({{"alert", kUnexpected},
                          {"target", "vmq-1"},
                          {"node", "VerneMQ@127.0.0.1"},
                          {"mqtt_version", "4"}}),
              0.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(ActiveCount(stack_->alertmanager().Alerts(), kAtThreshold), 0);
  EXPECT_FALSE(NotificationArrived(stack_->receiver(), "firing", kAtThreshold));
  EXPECT_EQ(stack_->prometheus().Query(at_threshold).body.size(), 1u)
      << "the count left 5 before the check ended";
}

TEST_F(RealComponents, UnexpectedPubcompAlertReachesAlertmanagerForExactlyThatNodeAndVersion) {
  ASSERT_TRUE(WaitFor(RaisedInAlertmanager, seconds(60)))
      << stack_->alertmanager().Alerts().dump(2) << stack_->Diagnostics();

  nlohmann::json pubcomp = nlohmann::json::array();
  for (const nlohmann::json& alert : stack_->alertmanager().Alerts()) {
    if (IsPubcompAlert(alert)) pubcomp.push_back(alert);
  }
  ASSERT_EQ(pubcomp.size(), 1u) << "vmq-2 v4 (3 events), vmq-1 v4 (5) and vmq-1 v5 (2 of each) "
                                   "stay at or below the threshold; only vmq-2 v5 (6 events) "
                                   "may alert:\n"
                                << pubcomp.dump(2);
  EXPECT_TRUE(HasLabels(pubcomp[0]["labels"], {{"component", "VerneMQ"}}));
  ASSERT_FALSE(pubcomp[0]["receivers"].empty());
  EXPECT_EQ(pubcomp[0]["receivers"][0].value("name", ""), "sysadmin");
}

TEST_F(RealComponents, SysadminIsNotifiedOfTheUnexpectedPubcompAlert) {
  EXPECT_TRUE(WaitFor([] { return NotificationArrived(stack_->receiver(), "firing", kRaised); },
                      seconds(70)))
      << stack_->receiver().Notifications().size() << " notifications";
}

TEST_F(RealComponents, ExporterAlertStateIsRaisedWithinOnePollOfThePrometheusRule) {
  ASSERT_TRUE(WaitFor(FiringInPrometheus, seconds(60))) << stack_->prometheus().Alerts().dump(2);

  // The exporter evaluates the same hysteresis at every poll, so it is raised no later than
  // one poll after Prometheus saw the count (usually before).
  EXPECT_TRUE(WaitFor([] { return AlertState(kRaisedState) == 1.0; },
                      seconds(MonitoringStack::kPollIntervalSeconds + 1)))
      << stack_->exporter().Metrics();
  EXPECT_EQ(AlertState({{"alert", kUnexpected}, {"target", "vmq-2"}, {"mqtt_version", "4"}}), 0.0);
  EXPECT_EQ(AlertState({{"alert", kUnexpected}, {"target", "vmq-1"}, {"mqtt_version", "5"}}), 0.0);
}

TEST_F(RealComponents, EveryDashboardQueryReturnsData) {
  // Data has flowed once Prometheus holds the raised alert state and the reason-code events.
  ASSERT_TRUE(WaitFor(
      [] {
        return stack_->prometheus().Query("vmq_alert_state == 1").body.size() == 1 &&
               !stack_->prometheus().Query("vmq_pubcomp_sent_unsuccessful > 0").body.empty();
      },
      seconds(70)));

  std::string text;
  ASSERT_TRUE(ReadFile(std::string(VMQ_SOURCE_DIR) + "/dashboards/vernemq-pubcomp.json", &text));
  const nlohmann::json dashboard = nlohmann::json::parse(text);
  const auto values = TestVariableValues(dashboard);

  const std::vector<PanelQuery> queries = PanelQueries(dashboard);
  ASSERT_FALSE(queries.empty());
  for (const PanelQuery& query : queries) {
    const std::string promql = SubstituteVariables(query.expr, values);
    const ApiResponse response = stack_->prometheus().Query(promql);
    EXPECT_TRUE(response.ok) << query.panel << ": " << response.error;
    EXPECT_FALSE(response.ok && response.body.empty())
        << query.panel << " (" << query.ref_id << ") has no data: " << promql;
  }

  for (const LabelValuesQuery& query : VariableQueries(dashboard)) {
    std::string path = "/api/v1/label/" + query.label + "/values";
    if (!query.selector.empty()) {
      path += "?match[]=" + UrlEncode(SubstituteVariables(query.selector, values));
    }
    const ApiResponse response = GetJson(stack_->prometheus().port(), path);
    ASSERT_TRUE(response.ok) << "variable " << query.variable << ": " << response.error;
    EXPECT_FALSE(response.body["data"].empty())
        << "variable " << query.variable << " has no values";
  }
}

TEST_F(RealComponents, UnexpectedPubcompAlertResolvesWhenTheBurstLeavesTheWindow) {
  ASSERT_TRUE(WaitFor(RaisedInAlertmanager, seconds(60)));

  EXPECT_TRUE(WaitFor([] { return !RaisedInAlertmanager(); }, seconds(75)))
      << stack_->alertmanager().Alerts().dump(2);
  EXPECT_EQ(RuleState(stack_->prometheus().Alerts(), kRaised), "");
  // The exporter's own state clears on its poll, Prometheus' rule on its evaluation: the two
  // may be a poll interval apart.
  EXPECT_TRUE(WaitFor([] { return AlertState(kRaisedState) == 0.0; }, seconds(10)));
  EXPECT_TRUE(WaitFor([] { return NotificationArrived(stack_->receiver(), "resolved", kRaised); },
                      seconds(10)));
}

TEST_F(RealComponents, DownTargetRaisesTargetDownWhichInhibitsItsPubcompAlerts) {
  const Labels down = {{"alertname", kTargetDown}, {"target", "vmq-3"}};
  const seconds rule_for = RuleFor(stack_->prometheus().RuleGroups(), kTargetDown);
  ASSERT_GE(rule_for.count(), 0) << "Prometheus loaded no " << kTargetDown << " rule";
  ASSERT_LE(rule_for, kTargetDownBudget)
      << kTargetDown
      << "'s for: outgrew what this test waits; raise kTargetDownBudget and the "
         "ctest TIMEOUT together";

  EXPECT_TRUE(
      WaitFor([&] { return RuleState(stack_->prometheus().Alerts(), down) != ""; }, seconds(10)));
  const auto deadline = down_since_ + rule_for + seconds(30);
  ASSERT_TRUE(
      WaitFor([&] { return ActiveCount(stack_->alertmanager().Alerts(), down) == 1; },
              std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())))
      << stack_->prometheus().Alerts().dump(2);
  for (const nlohmann::json& alert : stack_->alertmanager().Alerts()) {
    EXPECT_FALSE(IsPubcompAlert(alert) && alert["labels"].value("target", "") == "vmq-3")
        << "a down target has no window gauges, so no PUBCOMP alert: " << alert.dump();
  }
  EXPECT_TRUE(WaitFor([&] { return NotificationArrived(stack_->receiver(), "firing", down); },
                      seconds(10)));

  // Inhibition acts on alerts Alertmanager already holds (e.g. raised just before the outage),
  // which the pipeline cannot produce on demand: post them as Prometheus would, with the
  // job and instance of the target-down alert (the inhibit rule requires them equal).
  const nlohmann::json down_labels = FirstWith(stack_->alertmanager().Alerts(), down)["labels"];
  auto pubcomp_alert = [&](const std::string& target) {
    return nlohmann::json{{"labels",
                           {{"alertname", kUnexpected},
                            {"component", "VerneMQ"},
                            {"severity", "warning"},
                            {"signal", "vmq_pubcomp_unexpected_received"},
                            {"job", down_labels.value("job", "")},
                            {"instance", down_labels.value("instance", "")},
                            {"target", target},
                            {"node", "VerneMQ@127.0.0.3"},
                            {"mqtt_version", "5"},
                            {"synthetic", "true"}}}};
  };
  ASSERT_EQ(stack_->alertmanager().Post({pubcomp_alert("vmq-3"), pubcomp_alert("elsewhere")}), 200);
  EXPECT_TRUE(WaitFor(
      [&] {
        int inhibited = 0;
        int active = 0;
        for (const nlohmann::json& alert : stack_->alertmanager().Alerts()) {
          if (!alert["labels"].contains("synthetic")) continue;
          const bool on_down_target = alert["labels"].value("target", "") == "vmq-3";
          const nlohmann::json& status = alert["status"];
          if (on_down_target && status.value("state", "") == "suppressed" &&
              !status["inhibitedBy"].empty()) {
            ++inhibited;
          }
          if (!on_down_target && status.value("state", "") == "active") ++active;
        }
        return inhibited == 1 && active == 1;
      },
      seconds(10)))
      << stack_->alertmanager().Alerts().dump(2);
}

}  // namespace
}  // namespace vmq::testing
