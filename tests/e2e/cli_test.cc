// The real binary's command line: configuration errors, --config.check, --version, --help.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/process.h"

namespace vmq::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

TEST(ExporterCli, BadConfigExitsTwoWithFileLineColumn) {
  TempDir dir;
  const std::string file = dir.Write("bad.yaml",
                                     "targets:\n"
                                     "  - url: http://127.0.0.1:8888/metrics\n"
                                     "poll:\n"
                                     "  interval: 5s\n"
                                     "  timeout: 5s\n");
  std::string output;
  EXPECT_EQ(RunExporter({"--config.file=" + file}, &output), 2);
  EXPECT_THAT(output, StartsWith(file + ":5:"));
  EXPECT_THAT(output, HasSubstr("timeout"));
}

TEST(ExporterCli, ConfigCheckAcceptsShippedConfig) {
  std::string output;
  EXPECT_EQ(
      RunExporter({"--config.check", "--config.file", std::string(VMQ_SOURCE_DIR) + "/config.yaml"},
                  &output),
      0)
      << output;
}

TEST(ExporterCli, ConfigCheckRejectsUnknownKeyWithPosition) {
  TempDir dir;
  const std::string file =
      dir.Write("bad.yaml", "targets:\n  - url: http://127.0.0.1:8888/metrics\nwindow: [1m]\n");
  std::string output;
  EXPECT_EQ(RunExporter({"--config.check", "--config.file=" + file}, &output), 2);
  EXPECT_THAT(output, StartsWith(file + ":3:1: "));
}

TEST(ExporterCli, MissingConfigFileIsAnError) {
  std::string output;
  EXPECT_EQ(RunExporter({"--config.file=/nonexistent/config.yaml"}, &output), 2);
  EXPECT_THAT(output, HasSubstr("/nonexistent/config.yaml"));
}

// yaml-cpp 0.7 aborts with std::bad_alloc on a file that is a stray ',' unless guarded.
TEST(ExporterCli, ConfigCheckRefusesAStrayCommaAtItsPosition) {
  TempDir dir;
  const std::string file = dir.Write("c.yaml", ",");
  std::string output;
  EXPECT_EQ(RunExporter({"--config.check", "--config.file=" + file}, &output), 2);
  EXPECT_THAT(output, StartsWith(file + ":1:1: invalid YAML"));
}

TEST(ExporterCli, ConfigFileThatNeverEndsIsRefused) {
  std::string output;
  EXPECT_EQ(RunExporter({"--config.check", "--config.file=/dev/zero"}, &output), 2);
  EXPECT_THAT(output, StartsWith("/dev/zero:0:0: cannot read: it is not a regular file"));
}

// A broken web config must never start the endpoint without its basic auth.
TEST(ExporterCli, CorruptedWebConfigStopsTheStartInsteadOfServingWithoutAuth) {
  TempDir dir;
  const std::string config = dir.Write("c.yaml", "targets:\n  - url: http://127.0.0.1:1/metrics\n");
  for (const std::string text : {",\nbasic_auth_users:\n  a: x\n", ",,,", "", "# users\n"}) {
    const std::string web = dir.Write("web.yml", text);
    std::string output;
    EXPECT_EQ(RunExporter({"--config.file=" + config, "--web.config.file=" + web,
                           "--web.listen-address=127.0.0.1:0"},
                          &output),
              2)
        << text;
    EXPECT_THAT(output, StartsWith(web + ":1:1: ")) << text;
  }
}

TEST(ExporterCli, UnknownFlagExitsTwo) {
  std::string output;
  EXPECT_EQ(RunExporter({"--no.such.flag"}, &output), 2);
  EXPECT_THAT(output, HasSubstr("unknown flag --no.such.flag"));
}

TEST(ExporterCli, PrintsVersionAndHelp) {
  std::string output;
  EXPECT_EQ(RunExporter({"--version"}, &output), 0);
  EXPECT_THAT(output, MatchesRegex("vernemq-pubcomp-exporter [0-9]+\\.[0-9]+\\.[0-9]+ .*\n"));
  EXPECT_EQ(RunExporter({"--help"}, &output), 0);
  EXPECT_THAT(output, HasSubstr("--web.listen-address"));
}

}  // namespace
}  // namespace vmq::testing
