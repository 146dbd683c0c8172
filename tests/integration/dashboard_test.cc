// The Grafana dashboard as a file: importable, every panel on the datasource variable, and
// queries that filter with the node and MQTT version variables. Whether the queries return
// data is checked against a real Prometheus in integration_test.cc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <set>
#include <string>

#include "common/fixtures.h"
#include "integration/dashboard.h"

namespace vmq::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

nlohmann::json LoadDashboard() {
  std::string text;
  EXPECT_TRUE(ReadFile(std::string(VMQ_SOURCE_DIR) + "/dashboards/vernemq-pubcomp.json", &text));
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

nlohmann::json Variable(const nlohmann::json& dashboard, const std::string& name) {
  for (const nlohmann::json& variable : dashboard["templating"]["list"]) {
    if (variable.value("name", "") == name) return variable;
  }
  return nlohmann::json();
}

TEST(Dashboard, AsksForAPrometheusDatasourceOnImport) {
  const nlohmann::json dashboard = LoadDashboard();
  ASSERT_FALSE(dashboard.is_discarded());
  ASSERT_EQ(dashboard["__inputs"].size(), 1u);
  EXPECT_EQ(dashboard["__inputs"][0]["name"], "DS_PROMETHEUS");
  EXPECT_EQ(dashboard["__inputs"][0]["type"], "datasource");
  EXPECT_EQ(dashboard["__inputs"][0]["pluginId"], "prometheus");
  EXPECT_TRUE(dashboard["id"].is_null()) << "an id would overwrite another dashboard on import";
  EXPECT_GE(dashboard.value("schemaVersion", 0), 36);

  const nlohmann::json datasource = Variable(dashboard, "datasource");
  EXPECT_EQ(datasource.value("type", ""), "datasource");
  EXPECT_EQ(datasource.value("query", ""), "prometheus");
  EXPECT_EQ(datasource["current"].value("value", ""), "${DS_PROMETHEUS}");
}

TEST(Dashboard, EveryPanelAndQueryUsesTheDatasourceVariable) {
  const nlohmann::json expected = {{"type", "prometheus"}, {"uid", "${datasource}"}};
  for (const nlohmann::json& panel : Panels(LoadDashboard())) {
    EXPECT_EQ(panel["datasource"], expected) << panel["title"];
    for (const nlohmann::json& target : panel["targets"]) {
      EXPECT_EQ(target["datasource"], expected) << panel["title"];
    }
  }
  for (const char* name : {"node", "mqtt_version", "window"}) {
    EXPECT_EQ(Variable(LoadDashboard(), name)["datasource"], expected) << name;
  }
}

TEST(Dashboard, NodeAndVersionVariablesListLabelValuesAndAllowAll) {
  const nlohmann::json dashboard = LoadDashboard();
  for (const char* name : {"node", "mqtt_version"}) {
    const nlohmann::json variable = Variable(dashboard, name);
    EXPECT_EQ(variable.value("type", ""), "query") << name;
    EXPECT_THAT(variable.value("query", ""), HasSubstr("label_values(")) << name;
    EXPECT_TRUE(variable.value("multi", false)) << name;
    EXPECT_TRUE(variable.value("includeAll", false)) << name;
    // Without allValue Grafana sends "All" as a list of every value it has seen, which
    // misses nodes that appear later.
    EXPECT_EQ(variable.value("allValue", ""), ".*") << name;
  }
  const std::vector<LabelValuesQuery> queries = VariableQueries(dashboard);
  ASSERT_EQ(queries.size(), 3u);
  EXPECT_EQ(queries[0].label, "node");
  EXPECT_EQ(queries[1].label, "mqtt_version");
  EXPECT_EQ(queries[2].label, "window");
}

TEST(Dashboard, EveryQueryFiltersByNodeWithARegexMatcher) {
  for (const PanelQuery& query : PanelQueries(LoadDashboard())) {
    EXPECT_THAT(query.expr, HasSubstr("\"$node\"")) << query.panel;
    // A multi-value variable expands to a|b, which only a regex matcher understands.
    EXPECT_THAT(query.expr, Not(HasSubstr("=\"$node\""))) << query.panel;
    EXPECT_THAT(query.expr, Not(HasSubstr("=\"$mqtt_version\""))) << query.panel;
    if (query.expr.find("vmq_pubcomp_") != std::string::npos ||
        query.expr.find("vmq_alert_state") != std::string::npos) {
      EXPECT_THAT(query.expr, HasSubstr("node=~\"$node\"")) << query.panel;
      EXPECT_THAT(query.expr, HasSubstr("mqtt_version=~\"$mqtt_version\"")) << query.panel;
    }
  }
}

std::set<std::string> MetricsUsed(const nlohmann::json& dashboard) {
  static const std::regex kMetric(R"(\bvmq_[a-z_]+)");
  std::set<std::string> metrics;
  for (const PanelQuery& query : PanelQueries(dashboard)) {
    for (std::sregex_iterator it(query.expr.begin(), query.expr.end(), kMetric), end; it != end;
         ++it) {
      metrics.insert(it->str());
    }
  }
  return metrics;
}

TEST(Dashboard, ShowsEveryPubcompSignalAlertStateAndTargetHealth) {
  const std::set<std::string> used = MetricsUsed(LoadDashboard());
  for (const char* metric :
       {"vmq_pubcomp_unexpected_received", "vmq_pubcomp_received", "vmq_pubcomp_sent",
        "vmq_pubcomp_received_unsuccessful", "vmq_pubcomp_sent_unsuccessful", "vmq_alert_state",
        "vmq_window_coverage_ratio", "vmq_target_up", "vmq_target_poll_duration_seconds",
        "vmq_target_poll_errors_total"}) {
    EXPECT_TRUE(used.contains(metric)) << metric;
  }
}

TEST(Dashboard, UsesOnlyMetricsTheExporterDocuments) {
  std::string documented;
  ASSERT_TRUE(ReadFile(std::string(VMQ_SOURCE_DIR) + "/docs/metrics.md", &documented));
  for (const std::string& metric : MetricsUsed(LoadDashboard())) {
    EXPECT_NE(documented.find("`" + metric + "`"), std::string::npos)
        << metric << " is not in docs/metrics.md";
  }
}

TEST(Dashboard, PanelIdsAreUnique) {
  std::set<int> ids;
  for (const nlohmann::json& panel : Panels(LoadDashboard())) {
    EXPECT_TRUE(ids.insert(panel.value("id", -1)).second) << panel["title"];
  }
}

TEST(DashboardVariables, SubstitutesEveryFormGrafanaAccepts) {
  const std::map<std::string, std::string> values = {{"node", ".*"}, {"window", "1m"}};
  EXPECT_EQ(
      SubstituteVariables(R"(x{node=~"$node", a="${node}", b="${node:regex}"}[[window]])", values),
      R"(x{node=~".*", a=".*", b=".*"}1m)");
  EXPECT_EQ(SubstituteVariables("$unknown $nodes", values), "$unknown $nodes");
}

TEST(DashboardVariables, TestValuesAreTheAllValueOrTheSavedCurrentValue) {
  const auto values = TestVariableValues(LoadDashboard());
  EXPECT_EQ(values.at("node"), ".*");
  EXPECT_EQ(values.at("mqtt_version"), ".*");
  EXPECT_EQ(values.at("window"), "1m");
  EXPECT_EQ(values.at("__rate_interval"), "1m");
}

TEST(DashboardVariables, SplitsLabelValuesIntoSelectorAndLabel) {
  const nlohmann::json dashboard = {
      {"templating",
       {{"list",
         {{{"name", "a"}, {"type", "query"}, {"query", R"(label_values(m{x="1", y="2"}, lbl))"}},
          {{"name", "b"}, {"type", "query"}, {"query", {{"query", "label_values(lbl2)"}}}},
          {{"name", "c"}, {"type", "custom"}, {"query", "1,2"}}}}}}};
  const std::vector<LabelValuesQuery> queries = VariableQueries(dashboard);
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries[0].selector, R"(m{x="1", y="2"})");
  EXPECT_EQ(queries[0].label, "lbl");
  EXPECT_EQ(queries[1].selector, "");
  EXPECT_EQ(queries[1].label, "lbl2");
}

}  // namespace
}  // namespace vmq::testing
