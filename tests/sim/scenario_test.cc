#include "sim/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace vmq::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The error a scenario raises, or "" when it parses.
std::string ErrorOf(const std::string& yaml) {
  try {
    ParseScenario(yaml, "s.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

constexpr char kOneNode[] = "nodes:\n  - name: vmq-1\n";

TEST(Scenario, ParsesTheExampleScenario) {
  const Scenario scenario = LoadScenario(VMQ_SCENARIOS_DIR "/example.yaml");

  ASSERT_EQ(scenario.nodes.size(), 3u);
  EXPECT_EQ(scenario.nodes[1].style.prefix, "");
  EXPECT_EQ(scenario.nodes[2].style.prefix, "myns_");
  EXPECT_FALSE(scenario.nodes[2].style.final_newline);
  ASSERT_EQ(scenario.timeline.size(), 4u);
  EXPECT_EQ(scenario.timeline[0].node, "vmq-2");
  EXPECT_EQ(scenario.timeline[0].count, 7u);
  EXPECT_EQ(scenario.timeline[2].mode, "refuse");
}

TEST(Scenario, ParsesTheDemoScenario) {
  const Scenario scenario = LoadScenario(VMQ_SCENARIOS_DIR "/demo.yaml");

  ASSERT_EQ(scenario.nodes.size(), 3u);
  EXPECT_TRUE(scenario.timeline.empty());
  for (const NodeSpec& node : scenario.nodes) {
    EXPECT_EQ(node.style.prefix, "vernemq_");
    EXPECT_GT(node.background.qos2_per_s, 0);
  }
}

TEST(Scenario, DefaultsFollowTheNodesPosition) {
  const Scenario scenario = ParseScenario("nodes: [{name: a}, {name: b}]", "s.yaml");

  EXPECT_EQ(scenario.control_port, 0);
  EXPECT_EQ(scenario.nodes[1].port, 0);
  EXPECT_EQ(scenario.nodes[1].layout, "2.x");
  EXPECT_EQ(scenario.nodes[1].style.prefix, "vernemq_");
  EXPECT_EQ(scenario.nodes[1].style.node_label, "VerneMQ@127.0.0.2");
  EXPECT_TRUE(scenario.nodes[1].style.final_newline);
}

TEST(Scenario, OrdersTheTimelineByTime) {
  const Scenario scenario = ParseScenario(std::string(kOneNode) +
                                              "timeline:\n"
                                              "  - {at: 1m, node: vmq-1, event: up}\n"
                                              "  - {at: 500ms, node: vmq-1, event: down}\n",
                                          "s.yaml");

  ASSERT_EQ(scenario.timeline.size(), 2u);
  EXPECT_EQ(scenario.timeline[0].at, Millis(500));
  EXPECT_EQ(scenario.timeline[0].mode, "refuse");
  EXPECT_EQ(scenario.timeline[1].at, Millis(60'000));
}

TEST(Scenario, ReportsUnknownEventAtItsLineAndColumn) {
  const std::string error = ErrorOf(std::string(kOneNode) +
                                    "timeline:\n"
                                    "  - {at: 10s, node: vmq-1, event: v6_pubcomp}\n");

  EXPECT_THAT(error, StartsWith("s.yaml:4:35: "));
  EXPECT_THAT(error, HasSubstr("unknown event `v6_pubcomp`"));
}

TEST(Scenario, ReportsYamlSyntaxErrorsWithLineAndColumn) {
  EXPECT_THAT(ErrorOf("nodes:\n  - name: [vmq-1\n"), StartsWith("s.yaml:3:"));
}

TEST(Scenario, ReportsUnknownKeysWhereTheyAre) {
  EXPECT_THAT(ErrorOf("nodes:\n  - name: vmq-1\n    prot: 9000\n"),
              StartsWith("s.yaml:3:5: unknown key `prot`"));
}

TEST(Scenario, ReportsUnknownTimelineNode) {
  EXPECT_THAT(ErrorOf(std::string(kOneNode) + "timeline:\n  - {at: 1s, node: vmq-7, event: up}\n"),
              StartsWith("s.yaml:4:20: no node is named `vmq-7`"));
}

TEST(Scenario, ReportsBadTimes) {
  EXPECT_THAT(
      ErrorOf(std::string(kOneNode) + "timeline:\n  - {at: soon, node: vmq-1, event: up}\n"),
      StartsWith("s.yaml:4:10: `at` is a time"));
}

TEST(Scenario, ReportsModeOnAnEventOtherThanDown) {
  EXPECT_THAT(ErrorOf(std::string(kOneNode) +
                      "timeline:\n  - {at: 1s, node: vmq-1, event: up, mode: hang}\n"),
              HasSubstr("only `down` takes a `mode`"));
}

TEST(Scenario, ReportsUnknownDownMode) {
  EXPECT_THAT(ErrorOf(std::string(kOneNode) +
                      "timeline:\n  - {at: 1s, node: vmq-1, event: down, mode: sideways}\n"),
              HasSubstr("`mode` is refuse, hang, http_500, truncated or garbage"));
}

TEST(Scenario, ReportsDuplicateNodeNames) {
  EXPECT_THAT(ErrorOf("nodes:\n  - name: a\n  - name: a\n"),
              StartsWith("s.yaml:3:11: two nodes are named `a`"));
}

TEST(Scenario, ReportsBadPortsAndLayouts) {
  EXPECT_THAT(ErrorOf("nodes:\n  - {name: a, port: 70000}\n"), StartsWith("s.yaml:2:21: "));
  EXPECT_THAT(ErrorOf("nodes:\n  - {name: a, layout: 3.x}\n"), HasSubstr("`layout` is 2.x, 1.x"));
  EXPECT_THAT(ErrorOf("nodes:\n  - {name: a, layout: custom}\n"), HasSubstr("needs a `namespace`"));
}

TEST(Scenario, ReportsAScenarioWithoutNodes) {
  EXPECT_THAT(ErrorOf("control_port: 0\n"), HasSubstr("`nodes` must list at least one node"));
}

TEST(Scenario, NamespaceOverridesTheLayoutPrefix) {
  const Scenario scenario = ParseScenario("nodes: [{name: a, layout: 1.x, namespace: x_}]", "s");

  EXPECT_EQ(scenario.nodes[0].style.prefix, "x_");
  EXPECT_EQ(scenario.nodes[0].layout, "custom");
}

TEST(ScenarioOffset, AcceptsCommonUnits) {
  Millis out{};
  ASSERT_TRUE(ParseOffset("10s", &out));
  EXPECT_EQ(out, Millis(10'000));
  ASSERT_TRUE(ParseOffset("1.5s", &out));
  EXPECT_EQ(out, Millis(1'500));
  ASSERT_TRUE(ParseOffset("250ms", &out));
  EXPECT_EQ(out, Millis(250));
  ASSERT_TRUE(ParseOffset("2m", &out));
  EXPECT_EQ(out, Millis(120'000));
  ASSERT_TRUE(ParseOffset("3", &out));
  EXPECT_EQ(out, Millis(3'000));
  EXPECT_FALSE(ParseOffset("-1s", &out));
  EXPECT_FALSE(ParseOffset("10 parsecs", &out));
  EXPECT_FALSE(ParseOffset("", &out));
}

}  // namespace
}  // namespace vmq::sim
