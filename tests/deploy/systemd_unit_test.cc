// The systemd unit in docs/deploy: hardened as promised, accepted by systemd-analyze verify
// and rated by systemd-analyze security, once installed by `make install`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "common/fixtures.h"
#include "common/process.h"
#include "deploy/deploy_support.h"

namespace vmq::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kUnit[] = "vernemq-pubcomp-exporter.service";

// Key=value lines of the [Service] section, with backslash continuations joined; a key given
// twice keeps its values space-joined.
std::map<std::string, std::string> ServiceSettings(const std::string& unit) {
  std::map<std::string, std::string> settings;
  std::istringstream lines(unit);
  std::string line;
  std::string section;
  while (std::getline(lines, line)) {
    std::string continued;
    while (!line.empty() && line.back() == '\\' && std::getline(lines, continued)) {
      line = line.substr(0, line.size() - 1) + continued;
    }
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    const size_t eq = line.find('=');
    if (section != "[Service]" || eq == std::string::npos) continue;
    std::string& value = settings[line.substr(0, eq)];
    value += (value.empty() ? "" : " ") + line.substr(eq + 1);
  }
  return settings;
}

// The unit as `make install PREFIX=/usr` puts it, with ExecStart pointing into the scratch
// root so that systemd-analyze finds the binary, in a folder of its own.
std::string InstalledUnitForAnalysis(const TempDir& root) {
  const CommandResult install = MakeInstall(root.path() + "/root", "/usr");
  EXPECT_EQ(install.status, 0) << install.output;
  std::string unit;
  EXPECT_TRUE(ReadFile(root.path() + "/root/lib/systemd/system/" + kUnit, &unit));
  unit = std::regex_replace(unit, std::regex("ExecStart=/usr/bin/"),
                            "ExecStart=" + root.path() + "/root/usr/bin/");
  fs::create_directories(root.path() + "/analyze");
  return root.Write(std::string("analyze/") + kUnit, unit);
}

TEST(SystemdUnit, HasTheHardeningSettings) {
  std::string unit;
  ASSERT_TRUE(ReadFile(SourcePath(std::string("docs/deploy/") + kUnit), &unit));
  const auto settings = ServiceSettings(unit);
  const std::map<std::string, std::string> expected = {
      {"DynamicUser", "yes"},
      {"NoNewPrivileges", "yes"},
      {"CapabilityBoundingSet", ""},
      {"ProtectSystem", "strict"},
      {"ProtectHome", "yes"},
      {"PrivateTmp", "yes"},
      {"PrivateDevices", "yes"},
      {"ProtectKernelTunables", "yes"},
      {"ProtectKernelModules", "yes"},
      {"ProtectKernelLogs", "yes"},
      {"ProtectControlGroups", "yes"},
      {"RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"},
      {"SystemCallFilter", "@system-service ~@privileged"},
      {"MemoryDenyWriteExecute", "yes"},
      {"RestrictSUIDSGID", "yes"},
      {"LockPersonality", "yes"},
  };
  for (const auto& [key, value] : expected) {
    ASSERT_TRUE(settings.contains(key)) << key << " missing";
    EXPECT_EQ(settings.at(key), value) << key;
  }
  EXPECT_THAT(settings.at("ExecStart"),
              ::testing::HasSubstr("--config.file=/etc/vernemq-pubcomp-exporter/config.yaml"));
}

TEST(SystemdUnit, PassesSystemdAnalyzeVerify) {
  if (!HasProgram("systemd-analyze")) GTEST_SKIP() << "systemd-analyze not found (package systemd)";
  TempDir root;
  const std::string unit = InstalledUnitForAnalysis(root);
  std::string output;
  EXPECT_EQ(RunCommand({"systemd-analyze", "verify", unit}, &output), 0) << output;
  // verify exits 0 on unknown keys and bad values, only printing them.
  EXPECT_EQ(output, "");
}

TEST(SystemdUnit, SystemdAnalyzeSecurityRatesItExposureAtMostTwo) {
  if (!HasProgram("systemd-analyze")) GTEST_SKIP() << "systemd-analyze not found (package systemd)";
  TempDir root;
  const std::string unit = InstalledUnitForAnalysis(root);
  std::string output;
  ASSERT_EQ(
      RunCommand({"systemd-analyze", "security", "--offline=yes", "--no-pager", unit}, &output), 0)
      << output;
  std::smatch level;
  ASSERT_TRUE(
      std::regex_search(output, level, std::regex("Overall exposure level for \\S+: ([0-9.]+)")))
      << output;
  EXPECT_LE(std::stod(level[1]), 2.0) << output;
}

}  // namespace
}  // namespace vmq::testing
