#include "main/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmq {
namespace {

bool Parse(std::vector<const char*> args, Flags* flags, std::string* error) {
  args.insert(args.begin(), "vernemq-pubcomp-exporter");
  return ParseFlags(static_cast<int>(args.size()), args.data(), flags, error);
}

TEST(Flags, DefaultsMatchDocumentation) {
  Flags flags;
  std::string error;
  ASSERT_TRUE(Parse({}, &flags, &error));
  EXPECT_EQ(flags.config_file, "config.yaml");
  EXPECT_EQ(flags.listen_port, kDefaultPort);
  EXPECT_EQ(flags.telemetry_path, "/metrics");
}

TEST(Flags, AcceptsEqualsAndSpaceForms) {
  Flags flags;
  std::string error;
  ASSERT_TRUE(Parse(
      {"--config.file=a.yaml", "--web.listen-address", "127.0.0.1:9999", "--web.telemetry-path=/m",
       "--log.level", "debug", "--log.format=json", "--config.check"},
      &flags, &error))
      << error;
  EXPECT_EQ(flags.config_file, "a.yaml");
  EXPECT_EQ(flags.listen_host, "127.0.0.1");
  EXPECT_EQ(flags.listen_port, 9999);
  EXPECT_EQ(flags.telemetry_path, "/m");
  EXPECT_EQ(flags.log_level, LogLevel::kDebug);
  EXPECT_EQ(flags.log_format, LogFormat::kJson);
  EXPECT_TRUE(flags.config_check);
}

TEST(Flags, RejectsUnknownFlagMissingValueAndBadValues) {
  for (const auto& args : std::vector<std::vector<const char*>>{{"--nope"},
                                                                {"--config.file"},
                                                                {"--log.level=loud"},
                                                                {"--log.format=xml"},
                                                                {"--web.listen-address=9999"},
                                                                {"--web.listen-address=:99999"},
                                                                {"--web.telemetry-path=metrics"},
                                                                {"--version=yes"}}) {
    Flags flags;
    std::string error;
    EXPECT_FALSE(Parse(args, &flags, &error)) << args[0];
    EXPECT_FALSE(error.empty());
  }
}

TEST(Flags, WebConfigFileDefaultsToNoneAndTakesAPath) {
  Flags flags;
  std::string error;
  ASSERT_TRUE(Parse({}, &flags, &error));
  EXPECT_EQ(flags.web_config_file, "");
  ASSERT_TRUE(Parse({"--web.config.file", "/etc/web.yml"}, &flags, &error)) << error;
  EXPECT_EQ(flags.web_config_file, "/etc/web.yml");
  EXPECT_FALSE(Parse({"--web.config.file="}, &flags, &error));
  EXPECT_NE(error.find("--web.config.file"), std::string::npos);
}

TEST(Flags, UsageListsWebConfigFile) {
  EXPECT_NE(Usage("x").find("--web.config.file=PATH"), std::string::npos);
}

TEST(Flags, StoragePathDefaultsToNoneAndTakesADirectory) {
  Flags flags;
  std::string error;
  ASSERT_TRUE(Parse({}, &flags, &error));
  EXPECT_EQ(flags.storage_path, "");
  ASSERT_TRUE(Parse({"--storage.path=/var/lib/x"}, &flags, &error)) << error;
  EXPECT_EQ(flags.storage_path, "/var/lib/x");
  EXPECT_FALSE(Parse({"--storage.path="}, &flags, &error));
  EXPECT_NE(error.find("--storage.path"), std::string::npos);
  EXPECT_NE(Usage("x").find("--storage.path=DIR"), std::string::npos);
}

TEST(ListenAddress, ParsesHostPortForms) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseListenAddress(":9742", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 9742);
  ASSERT_TRUE(ParseListenAddress("[::1]:80", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListenAddress("::1:80", &host, &port));
}

}  // namespace
}  // namespace vmq
