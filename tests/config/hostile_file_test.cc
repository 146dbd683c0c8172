// Files that are not YAML, or YAML that makes yaml-cpp 0.7 loop, recurse or expand without
// bound: each is refused with "FILE:LINE:COL: message", never an abort or "treated as empty".

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/load_error.h"
#include "config/yaml_document.h"

namespace vmq::config {
namespace {

using testing::ErrorOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kTargets[] = "targets:\n  - url: http://vmq:8888/metrics\n";

TEST(HostileConfigFile, StrayCommaIsInvalidYamlAtItsPosition) {
  EXPECT_EQ(ErrorOf(","),
            "c.yaml:1:1: invalid YAML: ',' outside a flow collection ([...] or {...})");
  EXPECT_THAT(ErrorOf(",,,"), StartsWith("c.yaml:1:1: invalid YAML: "));
  EXPECT_THAT(ErrorOf(",a"), StartsWith("c.yaml:1:1: invalid YAML: "));
  EXPECT_THAT(ErrorOf("\n,"), StartsWith("c.yaml:2:1: invalid YAML: "));
  EXPECT_THAT(ErrorOf(std::string(kTargets) + "---\n,\n"),
              StartsWith("c.yaml:4:1: invalid YAML: "));
}

TEST(HostileConfigFile, DeepFlowNestingIsRefusedBeforeTheParserRecurses) {
  const std::string deep(100'000, '[');
  EXPECT_THAT(ErrorOf(deep), StartsWith("c.yaml:1:65: nested more than 64 levels deep"));
}

TEST(HostileConfigFile, DeepBlockNestingIsRefused) {
  std::string compact;
  for (int i = 0; i < 10'000; ++i) compact += "- ";
  EXPECT_THAT(ErrorOf(compact + "x\n"), HasSubstr("nested more than 64 levels deep"));
  std::string indented;
  for (int i = 0; i < 200; ++i) indented += std::string(i, ' ') + "k" + std::to_string(i) + ":\n";
  EXPECT_THAT(ErrorOf(indented), HasSubstr("nested more than 64 levels deep"));
}

TEST(HostileConfigFile, BracketsInsideQuotesAndCommentsDoNotCountAsNesting) {
  const std::string brackets(200, '[');
  EXPECT_EQ(ErrorOf(std::string(kTargets) + "# " + brackets + "\n"), "(accepted)");
  EXPECT_EQ(ErrorOf(std::string(kTargets) + "signals:\n  - name: vmq_x\n    help: \"" + brackets +
                    "\"\n"
                    "    source: mqtt_x\n"),
            "(accepted)");
}

TEST(HostileConfigFile, AliasExpansionIsBounded) {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 10; ++j) bomb += ", " + prev;
    bomb += "]\n";
  }
  EXPECT_THAT(ErrorOf(bomb), HasSubstr("the document is too large: more than 1000000 values"));
}

TEST(HostileConfigFile, OversizedFileIsRefused) {
  EXPECT_THAT(ErrorOf(std::string(kTargets) + "#" + std::string(2 << 20, 'x') + "\n"),
              StartsWith("c.yaml:1:1: the file is larger than 1048576 bytes"));
}

TEST(HostileConfigFile, NulBytesAreRefused) {
  EXPECT_THAT(ErrorOf(std::string(kTargets) + std::string(1, '\0')),
              StartsWith("c.yaml:3:1: the file holds a NUL byte"));
}

TEST(HostileConfigFile, ManyEmptyDocumentsAreRefused) {
  std::string documents;
  for (int i = 0; i < 20; ++i) documents += "---\n";
  EXPECT_THAT(ErrorOf(documents + kTargets), HasSubstr("invalid YAML: more than 16 documents"));
  EXPECT_THAT(ErrorOf(std::string(kTargets) + "---\n---\n"), StartsWith("(accepted)"));
}

TEST(HostileConfigFile, WindowLongerThanSevenDaysIsRefused) {
  EXPECT_EQ(ErrorOf(std::string(kTargets) + "windows: [1m, 1000y]\n"),
            "c.yaml:3:15: windows[1] \"1000y\" is longer than the longest duration allowed, 1w "
            "(the exporter keeps its history in memory; use Prometheus for longer ranges)");
  EXPECT_EQ(ErrorOf(std::string(kTargets) + "windows: [1m, 7d]\n"), "(accepted)");
}

TEST(HostileConfigFile, IntervalLongerThanSevenDaysIsRefused) {
  EXPECT_THAT(ErrorOf(std::string(kTargets) + "poll:\n  interval: 8d\n"),
              HasSubstr("poll.interval \"8d\" is longer than the longest duration allowed, 1w"));
}

TEST(YamlDocument, ReturnsTheSingleDocument) {
  const YAML::Node node = detail::LoadSingleDocument("---\na: 1\n...\n", "f.yaml", "hint");
  EXPECT_EQ(node["a"].as<int>(), 1);
}

TEST(YamlDocument, EmptyFileNamesTheHint) {
  try {
    detail::LoadSingleDocument("# only a comment\n", "f.yaml", "write something");
    FAIL() << "accepted";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(), "f.yaml:1:1: the file is empty; write something");
  }
}

}  // namespace
}  // namespace vmq::config
