#include "docs/block_kind.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vmq::docs {
namespace {

using ::testing::HasSubstr;

Classification Of(const std::string& language, const std::string& body,
                  const std::string& marker = "") {
  return Classify(CodeBlock{"x.md", 1, language, body, marker});
}

TEST(Classify, TellsYamlFilesApartByTheirTopLevelKeys) {
  EXPECT_EQ(Of("yaml", "targets:\n  - url: http://a/metrics\n").kind, BlockKind::kExporterConfig);
  EXPECT_EQ(Of("yaml", "groups: []\n").kind, BlockKind::kPrometheusRules);
  EXPECT_EQ(Of("yaml", "rule_files: [a]\n").kind, BlockKind::kPrometheusConfig);
  EXPECT_EQ(Of("yaml", "route: {receiver: a}\n").kind, BlockKind::kAlertmanagerConfig);
  EXPECT_EQ(Of("yaml", "apiVersion: v1\nkind: ConfigMap\n").kind, BlockKind::kKubernetes);
  EXPECT_EQ(Of("yml", "nodes:\n  - name: a\n").kind, BlockKind::kScenario);
  EXPECT_EQ(Of("yaml", "anything: 1\n").kind, BlockKind::kOtherYaml);
}

TEST(Classify, AnUnmarkedConfigFragmentAsksForTheFragmentMarker) {
  const Classification windows = Of("yaml", "windows: [1m]\n");
  EXPECT_EQ(windows.kind, BlockKind::kUnchecked);
  EXPECT_THAT(windows.problem, HasSubstr("<!-- docs-test: fragment of config.yaml -->"));
  const Classification target = Of("yaml", "    basic_auth:\n      username: u\n");
  EXPECT_THAT(target.problem, HasSubstr("<!-- docs-test: fragment of a target -->"));
}

TEST(Classify, MarkersDecideTheConfigKind) {
  EXPECT_EQ(Of("yaml", "windows: [1m]\n", "fragment of config.yaml").kind,
            BlockKind::kConfigFragment);
  EXPECT_EQ(Of("yaml", "tls: {}\n", "fragment of a target").kind, BlockKind::kTargetFragment);
  EXPECT_EQ(Of("yaml", "poll: 1\n", "invalid, error \"x\"").kind, BlockKind::kInvalidConfig);
}

TEST(Classify, YamlThatDoesNotParseIsAProblem) {
  const Classification broken = Of("yaml", "a: [1\n");
  EXPECT_EQ(broken.kind, BlockKind::kUnchecked);
  EXPECT_THAT(broken.problem, HasSubstr("does not parse as YAML"));
}

TEST(Classify, AnUnknownLanguageNamesTheMarkerToAdd) {
  const Classification toml = Of("toml", "a = 1\n");
  EXPECT_EQ(toml.kind, BlockKind::kUnchecked);
  EXPECT_THAT(toml.problem, HasSubstr("```toml blocks are not checked"));
  EXPECT_THAT(toml.problem, HasSubstr("<!-- docs-test: not-run: REASON -->"));
  EXPECT_EQ(Of("toml", "a = 1\n", "not-run: shown for comparison").kind, BlockKind::kNotRun);
}

TEST(Classify, AMalformedMarkerIsAProblem) {
  EXPECT_THAT(Of("sh", "make\n", "skip it").problem, HasSubstr("unknown docs-test marker"));
  EXPECT_THAT(Of("sh", "make\n", "fragment of config.yaml").problem,
              HasSubstr("does not apply to a shell block"));
}

TEST(Classify, ShellLanguagesAreShell) {
  for (const char* language : {"sh", "bash", "shell", "console"}) {
    EXPECT_EQ(Of(language, "ls\n").kind, BlockKind::kShell) << language;
  }
}

TEST(Classify, UntaggedBlocksAreMetricsTextPlainTextOrAnUntaggedCommand) {
  EXPECT_EQ(Of("", "vmq_target_up{target=\"a\"} 1\n").kind, BlockKind::kMetricsText);
  EXPECT_EQ(Of("", "FILE:LINE:COLUMN: what is wrong\n").kind, BlockKind::kText);
  EXPECT_EQ(Of("text", "config.yaml ─▶ poll ──▶ parse\n").kind, BlockKind::kText);
  EXPECT_THAT(Of("", "make demo\n").problem, HasSubstr("tag it ```sh"));
  EXPECT_EQ(Of("", "vmq-sim --scenario FILE\n", "usage of vmq-sim").kind, BlockKind::kUsage);
}

}  // namespace
}  // namespace vmq::docs
