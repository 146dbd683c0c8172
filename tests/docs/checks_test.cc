// The block checks on made-up blocks: each passes a good block and fails a broken one, so that
// the docs test can fail.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "docs/block_kind.h"
#include "docs/config_checks.h"
#include "docs/promql_checks.h"
#include "docs/shell_checks.h"
#include "docs/text_checks.h"
#include "docs/yaml_checks.h"

namespace vmq::docs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

CodeBlock Block(const std::string& language, const std::string& body,
                const std::string& marker = "") {
  return CodeBlock{"x.md", 1, language, body, marker};
}

Marker Parsed(const std::string& text) {
  std::string error;
  return ParseMarker(text, &error).value();
}

Problems Config(const std::string& body, const std::string& marker = "") {
  const CodeBlock block = Block("yaml", body, marker);
  return CheckConfigBlock(block, Classify(block));
}

Problems Shell(const std::string& body, const std::string& marker = "") {
  const CodeBlock block = Block("sh", body, marker);
  return RunShellBlock(block, Classify(block).marker, nullptr);
}

TEST(CheckConfigBlock, PassesAValidConfigAndReportsTheExportersErrorForAnInvalidOne) {
  EXPECT_THAT(Config("targets:\n  - url: http://10.0.0.7:8888/metrics\n"), IsEmpty());
  EXPECT_THAT(Config("targets:\n  - url: ftp://vmq/metrics\n"),
              ElementsAre(HasSubstr("scheme \"ftp\" is not supported")));
}

TEST(CheckConfigBlock, ChecksAFragmentMergedIntoAMinimalConfig) {
  EXPECT_THAT(Config("windows: [1m, 5m, 1h]\n", "fragment of config.yaml"), IsEmpty());
  EXPECT_THAT(Config("windows: [9s]\n", "fragment of config.yaml"),
              ElementsAre(HasSubstr("must span at least two poll intervals")));
  EXPECT_THAT(Config("    basic_auth:\n      username: u\n      password_file: /etc/p\n",
                     "fragment of a target"),
              IsEmpty());
}

TEST(CheckConfigBlock, PointsSecretFilesAtStandIns) {
  const CodeBlock block =
      Block("yaml", "targets:\n  - url: https://a/metrics\n    tls: {ca_file: /etc/ssl/ca.pem}\n");
  EXPECT_THAT(ConfigUnderCheck(block, BlockKind::kExporterConfig, "/scratch"),
              HasSubstr("ca_file: /scratch/etc/ssl/ca.pem}"));
  EXPECT_THAT(CheckConfigBlock(block, Classify(block)), IsEmpty());
}

TEST(CheckConfigBlock, AnInvalidBlockMustFailWithItsError) {
  const std::string body = "targets:\n  - url: ftp://vmq/metrics\n";
  EXPECT_THAT(Config(body, "invalid, error \"scheme \\\"ftp\\\"\""), Not(IsEmpty()));
  EXPECT_THAT(Config(body, "invalid, error `scheme \"ftp\" is not supported`"), IsEmpty());
  EXPECT_THAT(Config(body, "invalid, error `some other error`"),
              ElementsAre(HasSubstr("should refuse this config")));
  EXPECT_THAT(Config("targets:\n  - url: http://a/metrics\n", "invalid, error `x`"),
              ElementsAre(HasSubstr("exited 0")));
}

TEST(RunShellBlock, PassesCommandsThatSucceedAndReportsOneThatFails) {
  EXPECT_THAT(Shell("vernemq-pubcomp-exporter --version\n"), IsEmpty());
  EXPECT_THAT(Shell("vernemq-pubcomp-exporter --config.check --config.file=config.yaml\n"),
              IsEmpty());
  EXPECT_THAT(Shell("vernemq-pubcomp-exporter --config.check --config.file=nope.yaml\n"),
              ElementsAre(HasSubstr("bash exited 2")));
}

TEST(RunShellBlock, RefusesProgramsItDoesNotRun) {
  EXPECT_THAT(Shell("systemctl enable --now x\nkubectl apply -k d\n"),
              ElementsAre(AllOf(HasSubstr("runs systemctl, kubectl"),
                                HasSubstr("<!-- docs-test: not-run: REASON -->"))));
}

TEST(RunShellBlock, ReportsACommandThatChangesACommittedFile) {
  EXPECT_THAT(Shell("echo changed > config.yaml\n"),
              ElementsAre(HasSubstr("changed the committed file config.yaml")));
}

TEST(RunShellBlock, MovesScratchFoldersIntoTheWorkspace) {
  EXPECT_THAT(Shell("cat config.yaml > /var/lib/docs-test-nowhere/c.yaml\n",
                    "scratch /var/lib/docs-test-nowhere/"),
              IsEmpty());
}

TEST(RunShellBlock, CurlFailsOnAnHttpError) {
  EXPECT_THAT(Shell("vmq-sim --scenario scenarios/demo.yaml --ports-file p.json &\n"
                    "until [ -s p.json ]; do sleep 0.05; done\n"
                    "curl \"localhost:$(jq .control p.json)/no-such-path\"\n"),
              ElementsAre(HasSubstr("404")));
}

TEST(CheckCoveredBy, NeedsTheTestToContainEveryPart) {
  const CodeBlock block = Block("sh", "make demo\n");
  const auto covered = [&](const std::string& marker) {
    return CheckCoveredBy(block, Classify(Block("sh", "make demo\n", marker)).marker);
  };
  EXPECT_THAT(covered("covered-by tests/integration/demo_test.sh `scripts/demo.sh`"), IsEmpty());
  EXPECT_THAT(covered("covered-by tests/integration/demo_test.sh `make demo --fast`"),
              ElementsAre(HasSubstr("does not contain \"make demo --fast\"")));
  EXPECT_THAT(covered("covered-by tests/integration/no_such_test.sh"),
              ElementsAre(HasSubstr("no such file")));
  EXPECT_THAT(covered("covered-by tests/common/process.h `RunCommand`"),
              ElementsAre(HasSubstr("not a test")));
}

TEST(DryRunMakeCommands, FailsOnATargetTheMakefileDoesNotHave) {
  EXPECT_THAT(DryRunMakeCommands(Block("sh", "make test\nDEMO_EXIT_WHEN_FIRING=1 make demo\n")),
              IsEmpty());
  EXPECT_THAT(DryRunMakeCommands(Block("sh", "make tset\n")),
              ElementsAre(HasSubstr("\"make tset\": make -n fails")));
}

TEST(CheckPromql, ParsesTheExpressionAndLooksUpItsMetrics) {
  if (!HasProgram("promtool")) GTEST_SKIP() << "promtool not found";
  EXPECT_THAT(CheckPromql(Block("promql", "vmq_target_up{target=\"<t>\"} == 0\n"), Marker{}),
              IsEmpty());
  EXPECT_THAT(CheckPromql(Block("promql", "sum by (node (vmq_target_up)\n"), Marker{}),
              ElementsAre(HasSubstr("promtool does not accept")));
  EXPECT_THAT(CheckPromql(Block("promql", "vmq_no_such_metric > 0\n"), Marker{}),
              ElementsAre(HasSubstr("vmq_no_such_metric is not documented")));
}

TEST(CheckPromql, ComparesAnAlertExpressionWithTheRuleFile) {
  if (!HasProgram("promtool")) GTEST_SKIP() << "promtool not found";
  const Marker marker = Parsed("expr of VerneMQTargetDown in alerts/vernemq-pubcomp.rules.yml");
  EXPECT_THAT(CheckPromql(Block("promql", "vmq_target_up  ==  0\n"), marker), IsEmpty());
  EXPECT_THAT(CheckPromql(Block("promql", "vmq_target_up == 1\n"), marker),
              ElementsAre(HasSubstr("is not the expression of VerneMQTargetDown")));
}

TEST(CheckPrometheusConfig, ChecksNamedRuleFilesAsTheCommittedOnes) {
  if (!HasProgram("promtool")) GTEST_SKIP() << "promtool not found";
  EXPECT_THAT(CheckPrometheusConfig(
                  Block("yaml", "rule_files: [/etc/prometheus/vernemq-pubcomp.rules.yml]\n")),
              IsEmpty());
  EXPECT_THAT(CheckPrometheusConfig(Block("yaml", "rule_files: [/etc/prometheus/other.yml]\n")),
              ElementsAre(HasSubstr("promtool check config")));
}

TEST(CheckScenario, StartsVmqSimAndReportsWhyItRefusesAScenario) {
  EXPECT_THAT(CheckScenario(Block("yaml", "nodes:\n  - name: vmq-1\n")), IsEmpty());
  EXPECT_THAT(CheckScenario(Block("yaml",
                                  "nodes:\n  - name: vmq-1\ntimeline:\n"
                                  "  - {at: 1s, node: vmq-2, event: restart}\n")),
              ElementsAre(HasSubstr("no node is named `vmq-2`")));
}

TEST(CheckSameAs, ComparesAsYaml) {
  const Marker marker = Parsed("same as scenarios/demo.yaml");
  EXPECT_THAT(CheckSameAs(Block("yaml", "a: 1\n"), marker),
              ElementsAre(HasSubstr("differs from scenarios/demo.yaml")));
}

TEST(CheckMetricsText, NeedsDocumentedNamesAndLabelsAndValidLines) {
  EXPECT_THAT(CheckMetricsText(Block("", "vmq_target_up{target=\"a\"} 1\n")), IsEmpty());
  EXPECT_THAT(CheckMetricsText(Block("", "vmq_target_upp{target=\"a\"} 1\n")),
              ElementsAre(HasSubstr("metric vmq_target_upp is not documented")));
  EXPECT_THAT(CheckMetricsText(Block("", "vmq_target_up{tagret=\"a\"} 1\n")),
              ElementsAre(HasSubstr("label tagret is not documented")));
  EXPECT_THAT(CheckMetricsText(Block("", "vmq_target_up{target=\"a\" 1\n")), Not(IsEmpty()));
}

TEST(CheckUsage, LinesMustBeInTheHelpOutput) {
  const Marker vmq_sim = Parsed("usage of vmq-sim");
  EXPECT_THAT(CheckUsage(Block("", "vmq-sim --scenario FILE [--ports-file PATH]\n"), vmq_sim),
              IsEmpty());
  EXPECT_THAT(CheckUsage(Block("", "vmq-sim --scenario FILE --verbose\n"), vmq_sim),
              ElementsAre(HasSubstr("is not in the output of vmq-sim --help")));
}

TEST(CheckJson, ReportsInvalidJson) {
  EXPECT_THAT(CheckJson(Block("json", "{\"a\": 1}\n")), IsEmpty());
  EXPECT_THAT(CheckJson(Block("json", "{a: 1}\n")), ElementsAre(HasSubstr("not valid JSON")));
}

}  // namespace
}  // namespace vmq::docs
