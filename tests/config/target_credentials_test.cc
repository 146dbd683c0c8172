// Per-target credentials and TLS settings, whose values come from files on disk.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fixtures.h"
#include "common/process.h"
#include "config/config.h"
#include "config/load_error.h"

namespace vmq::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPem[] = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

using testing::ErrorOf;

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class TargetFilesTest : public ::testing::Test {
 protected:
  // A one-target config: `extra` holds the target's keys after url:.
  Config Load(const std::string& extra, const std::string& url = "http://vmq:8888/metrics") {
    return LoadString("targets:\n  - url: " + url + "\n" + extra, "c.yaml");
  }

  testing::TempDir dir_;
};

TEST_F(TargetFilesTest, ReadsApiKeyWithoutItsTrailingNewline) {
  const std::string file = dir_.Write("apikey", "k3y-123\n");
  const Config config = Load("    api_key_file: " + file + "\n");
  ASSERT_TRUE(config.targets[0].api_key.has_value());
  EXPECT_EQ(*config.targets[0].api_key, "k3y-123");
  EXPECT_FALSE(config.targets[0].basic_auth.has_value());
}

TEST_F(TargetFilesTest, StripsWindowsLineEndingAndKeepsInnerSpaces) {
  const std::string file = dir_.Write("apikey", "two words\r\n");
  EXPECT_EQ(*Load("    api_key_file: " + file + "\n").targets[0].api_key, "two words");
}

TEST_F(TargetFilesTest, ReadsBasicAuthPasswordFromFile) {
  const std::string file = dir_.Write("password", "hunter2\n");
  const Config config =
      Load("    basic_auth:\n      username: prometheus\n      password_file: " + file + "\n");
  ASSERT_TRUE(config.targets[0].basic_auth.has_value());
  EXPECT_EQ(config.targets[0].basic_auth->username, "prometheus");
  EXPECT_EQ(config.targets[0].basic_auth->password, "hunter2");
  EXPECT_FALSE(config.targets[0].api_key.has_value());
}

TEST_F(TargetFilesTest, KeepsSecretsOutOfUrlAndName) {
  const std::string key = dir_.Write("apikey", "SECRET-KEY\n");
  const std::string password = dir_.Write("password", "SECRET-PASSWORD\n");
  const Config config = LoadString(
      "targets:\n"
      "  - url: http://a:8888/metrics\n"
      "    api_key_file: " +
          key +
          "\n"
          "  - url: http://b:8888/metrics\n"
          "    basic_auth: {username: u, password_file: " +
          password + "}\n",
      "c.yaml");
  for (const Target& target : config.targets) {
    EXPECT_THAT(target.url.text, Not(HasSubstr("SECRET")));
    EXPECT_THAT(target.name, Not(HasSubstr("SECRET")));
  }
}

TEST_F(TargetFilesTest, DefaultsToNoCredentialsAndVerificationAgainstSystemCas) {
  const Config config = Load("", "https://vmq:8888/metrics");
  const Target& target = config.targets[0];
  EXPECT_FALSE(target.api_key.has_value());
  EXPECT_FALSE(target.basic_auth.has_value());
  EXPECT_EQ(target.tls.ca_file, "");
  EXPECT_FALSE(target.tls.insecure_skip_verify);
}

TEST_F(TargetFilesTest, ReadsTlsSettings) {
  const std::string ca = dir_.Write("ca.pem", kPem);
  const Config config =
      Load("    tls:\n      ca_file: " + ca + "\n      insecure_skip_verify: false\n",
           "https://vmq:8888/metrics");
  EXPECT_EQ(config.targets[0].tls.ca_file, ca);
  EXPECT_FALSE(config.targets[0].tls.insecure_skip_verify);
}

TEST_F(TargetFilesTest, ReadsInsecureSkipVerify) {
  const Config config = Load("    tls: {insecure_skip_verify: true}\n", "https://vmq:8888/metrics");
  EXPECT_TRUE(config.targets[0].tls.insecure_skip_verify);
}

TEST_F(TargetFilesTest, TreatsEmptyTlsOnHttpsAsDefaults) {
  const Config config = Load("    tls:\n", "https://vmq:8888/metrics");
  EXPECT_EQ(config.targets[0].tls.ca_file, "");
  EXPECT_FALSE(config.targets[0].tls.insecure_skip_verify);
}

TEST_F(TargetFilesTest, RefusesEmptyApiKeyFile) {
  const std::string file = dir_.Write("apikey", "");
  EXPECT_EQ(
      ErrorOf("targets:\n  - url: http://vmq:8888/metrics\n    api_key_file: " + file + "\n"),
      "c.yaml:3:19: targets[0].api_key_file \"" + file + "\" is empty; put the API key in it");
}

TEST_F(TargetFilesTest, RefusesApiKeyFileHoldingOnlyANewline) {
  const std::string file = dir_.Write("apikey", "\n");
  EXPECT_EQ(
      ErrorOf("targets:\n  - url: http://vmq:8888/metrics\n    api_key_file: " + file + "\n"),
      "c.yaml:3:19: targets[0].api_key_file \"" + file + "\" is empty; put the API key in it");
}

TEST_F(TargetFilesTest, RefusesMultiLineApiKeyWithoutQuotingIt) {
  const std::string file = dir_.Write("apikey", "SECRET-ONE\nSECRET-TWO\n");
  const std::string error =
      ErrorOf("targets:\n  - url: http://vmq:8888/metrics\n    api_key_file: " + file + "\n");
  EXPECT_EQ(error, "c.yaml:3:19: targets[0].api_key_file \"" + file +
                       "\" must hold the API key on a single line without control characters");
  EXPECT_THAT(error, Not(HasSubstr("SECRET")));
}

TEST_F(TargetFilesTest, RefusesEmptyPasswordFile) {
  const std::string file = dir_.Write("password", "\r\n");
  EXPECT_EQ(ErrorOf("targets:\n  - url: http://vmq:8888/metrics\n    basic_auth:\n"
                    "      username: u\n      password_file: " +
                    file + "\n"),
            "c.yaml:5:22: targets[0].basic_auth.password_file \"" + file +
                "\" is empty; put the password in it");
}

TEST_F(TargetFilesTest, RefusesEmptyCaFile) {
  const std::string file = dir_.Write("ca.pem", "");
  EXPECT_EQ(ErrorOf("targets:\n  - url: https://vmq:8888/metrics\n    tls:\n      ca_file: " +
                    file + "\n"),
            "c.yaml:4:16: targets[0].tls.ca_file \"" + file +
                "\" is empty; it must hold the CA's PEM certificate");
}

TEST_F(TargetFilesTest, RefusesCaFileWithoutPemCertificate) {
  const std::string file =
      dir_.Write("key.pem", "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n");
  EXPECT_EQ(ErrorOf("targets:\n  - url: https://vmq:8888/metrics\n    tls:\n      ca_file: " +
                    file + "\n"),
            "c.yaml:4:16: targets[0].tls.ca_file \"" + file +
                "\" holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)");
}

// examples/auth-tls.yaml with its /etc paths moved to files this test creates.
TEST_F(TargetFilesTest, AcceptsAuthTlsExample) {
  std::string example;
  ASSERT_TRUE(
      vmq::testing::ReadFile(std::string(VMQ_SOURCE_DIR) + "/examples/auth-tls.yaml", &example));
  dir_.Write("apikey", "example-key\n");
  dir_.Write("vernemq-ca.pem", kPem);
  dir_.Write("proxy-password", "example-password\n");
  const Config config = LoadString(
      Replace(example, "/etc/vernemq-pubcomp-exporter/", dir_.path() + "/"), "auth-tls.yaml");
  ASSERT_EQ(config.targets.size(), 3u);
  EXPECT_EQ(*config.targets[0].api_key, "example-key");
  EXPECT_EQ(config.targets[0].tls.ca_file, dir_.path() + "/vernemq-ca.pem");
  EXPECT_EQ(*config.targets[1].api_key, "example-key");
  EXPECT_EQ(config.targets[1].tls.ca_file, "");
  EXPECT_EQ(config.targets[2].basic_auth->password, "example-password");
}

}  // namespace
}  // namespace vmq::config
