// `make install` into a scratch DESTDIR: what goes where, for Debian's PREFIX=/usr and for
// another prefix, and that a reinstall keeps a locally edited config.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "common/fixtures.h"
#include "common/process.h"
#include "deploy/deploy_support.h"

namespace vmq::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kUnit[] = "vernemq-pubcomp-exporter.service";

std::string Contents(const std::string& path) {
  std::string text;
  EXPECT_TRUE(ReadFile(path, &text)) << path;
  return text;
}

bool IsExecutable(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && (info.st_mode & 0111) == 0111;
}

TEST(Install, PutsBinaryConfigAndUnitInDebianLayoutForPrefixUsr) {
  TempDir root;
  const CommandResult install = MakeInstall(root.path(), "/usr");
  ASSERT_EQ(install.status, 0) << install.output;

  const std::string binary = root.path() + "/usr/bin/vernemq-pubcomp-exporter";
  ASSERT_TRUE(IsExecutable(binary));
  std::string version;
  EXPECT_EQ(RunCommand({binary, "--version"}, &version), 0);
  EXPECT_THAT(version, HasSubstr("vernemq-pubcomp-exporter"));

  EXPECT_EQ(Contents(root.path() + "/etc/vernemq-pubcomp-exporter/config.yaml"),
            Contents(SourcePath("config.yaml")));
  const std::string unit = Contents(root.path() + "/lib/systemd/system/" + kUnit);
  EXPECT_THAT(unit, HasSubstr("\nExecStart=/usr/bin/vernemq-pubcomp-exporter "));
  EXPECT_THAT(unit, HasSubstr("--config.file=/etc/vernemq-pubcomp-exporter/config.yaml"));
  EXPECT_FALSE(fs::exists(root.path() + "/usr/lib/systemd/system/" + kUnit));
}

TEST(Install, PutsEveryAlertsFileUnderShare) {
  TempDir root;
  ASSERT_EQ(MakeInstall(root.path(), "/usr").status, 0);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(SourcePath("alerts"))) {
    if (entry.path().extension() != ".yml") continue;
    ++files;
    const std::string installed = root.path() + "/usr/share/vernemq-pubcomp-exporter/alerts/" +
                                  entry.path().filename().string();
    EXPECT_EQ(Contents(installed), Contents(entry.path().string())) << installed;
  }
  EXPECT_GT(files, 0) << "no alerts/*.yml in the source tree";
}

TEST(Install, PutsTheDocsTheUnitPointsAt) {
  TempDir root;
  ASSERT_EQ(MakeInstall(root.path(), "/usr").status, 0);
  const std::string doc_dir = root.path() + "/usr/share/doc/vernemq-pubcomp-exporter";
  EXPECT_EQ(Contents(doc_dir + "/deploy.md"), Contents(SourcePath("docs/deploy/README.md")));
  EXPECT_TRUE(fs::exists(doc_dir + "/metrics.md"));
  for (const auto& runbook : fs::directory_iterator(SourcePath("docs/runbooks"))) {
    EXPECT_TRUE(fs::exists(doc_dir + "/runbooks/" + runbook.path().filename().string()))
        << runbook.path();
  }
  EXPECT_THAT(
      Contents(root.path() + "/lib/systemd/system/" + kUnit),
      HasSubstr("\nDocumentation=file:///usr/share/doc/vernemq-pubcomp-exporter/deploy.md\n"));
}

TEST(Install, UnitOfAnotherPrefixRunsThatPrefixsBinary) {
  TempDir root;
  ASSERT_EQ(MakeInstall(root.path(), "/opt/vmq").status, 0);
  EXPECT_TRUE(IsExecutable(root.path() + "/opt/vmq/bin/vernemq-pubcomp-exporter"));
  EXPECT_THAT(Contents(root.path() + "/opt/vmq/lib/systemd/system/" + kUnit),
              HasSubstr("\nExecStart=/opt/vmq/bin/vernemq-pubcomp-exporter "));
  EXPECT_TRUE(fs::exists(root.path() + "/etc/vernemq-pubcomp-exporter/config.yaml"));
}

TEST(Install, KeepsAnExistingConfig) {
  TempDir root;
  const std::string config = root.path() + "/etc/vernemq-pubcomp-exporter/config.yaml";
  fs::create_directories(fs::path(config).parent_path());
  root.Write("etc/vernemq-pubcomp-exporter/config.yaml", "# edited here\n");
  const CommandResult install = MakeInstall(root.path(), "/usr");
  ASSERT_EQ(install.status, 0) << install.output;
  EXPECT_EQ(Contents(config), "# edited here\n");
}

}  // namespace
}  // namespace vmq::testing
