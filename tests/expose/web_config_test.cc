#include "expose/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/process.h"
#include "config/config.h"

namespace vmq::expose {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using vmq::testing::TempDir;

constexpr char kHash[] = "$2b$04$abcdefghijklmnopqrstuu5Fv7ADlS.SqC4Mbc9ivVNlzN8HrA1hS";

// A directory holding a server.crt and server.key with PEM markers (the parser reads them;
// whether OpenSSL accepts them is the server's concern).
class WebConfigTest : public ::testing::Test {
 protected:
  WebConfigTest()
      : cert_(dir_.Write("server.crt", "-----BEGIN CERTIFICATE-----\nx\n")),
        key_(dir_.Write("server.key", "-----BEGIN PRIVATE KEY-----\nx\n")) {}

  // "FILE:LINE:COL: message" for `yaml` written as web.yml, or "(accepted)".
  std::string ErrorOf(const std::string& yaml) {
    try {
      LoadWebConfigFile(dir_.Write("web.yml", yaml));
    } catch (const config::ConfigError& error) {
      return std::string(error.what()).substr(dir_.path().size() + 1);
    }
    return "(accepted)";
  }

  TempDir dir_;
  std::string cert_;
  std::string key_;
};

TEST_F(WebConfigTest, ReadsTlsFilesAndBcryptUsers) {
  const WebConfig web =
      LoadWebConfigString("tls_server_config:\n  cert_file: " + cert_ + "\n  key_file: " + key_ +
                              "\nbasic_auth_users:\n  alice: " + kHash + "\n",
                          "web.yml");
  ASSERT_TRUE(web.tls.has_value());
  EXPECT_EQ(web.tls->cert_file, cert_);
  EXPECT_EQ(web.tls->key_file, key_);
  ASSERT_EQ(web.basic_auth_users.size(), 1u);
  EXPECT_EQ(web.basic_auth_users.at("alice"), kHash);
}

TEST_F(WebConfigTest, ResolvesRelativePathsAgainstTheFilesDirectory) {
  const std::string file =
      dir_.Write("web.yml", "tls_server_config: {cert_file: server.crt, key_file: server.key}\n");
  const WebConfig web = LoadWebConfigFile(file);
  ASSERT_TRUE(web.tls.has_value());
  EXPECT_EQ(web.tls->cert_file, cert_);
  EXPECT_EQ(web.tls->key_file, key_);
}

// A web config that lost its content must never start the endpoint without its protection.
TEST_F(WebConfigTest, RefusesAFileWithoutContentInsteadOfServingWithoutAuthentication) {
  EXPECT_THAT(ErrorOf("# nothing yet\n"), StartsWith("web.yml:1:1: the file is empty; write "));
  EXPECT_THAT(ErrorOf(""), StartsWith("web.yml:1:1: the file is empty"));
}

TEST_F(WebConfigTest, RefusesStrayCommasThatYamlCppWouldReadAsEmpty) {
  for (const char* text : {",", ",,,", ",\nbasic_auth_users:\n  alice: x\n", "\n,"}) {
    EXPECT_THAT(ErrorOf(text), StartsWith("web.yml:")) << text;
    EXPECT_THAT(ErrorOf(text), HasSubstr("invalid YAML")) << text;
  }
}

TEST_F(WebConfigTest, RefusesAnEmptyUserList) {
  EXPECT_THAT(ErrorOf("basic_auth_users:\n"),
              StartsWith("web.yml:1:1: basic_auth_users is empty; "));
  EXPECT_THAT(ErrorOf("basic_auth_users: {}\n"),
              StartsWith("web.yml:1:19: basic_auth_users is empty; "));
}

TEST_F(WebConfigTest, RefusesACertificateFileThatNeverEnds) {
  EXPECT_THAT(ErrorOf("tls_server_config:\n  cert_file: /dev/zero\n  key_file: " + key_ + "\n"),
              StartsWith("web.yml:2:14: tls_server_config.cert_file \"/dev/zero\" cannot be read"));
}

TEST_F(WebConfigTest, UsersWithoutTlsAreAccepted) {
  EXPECT_EQ(ErrorOf(std::string("basic_auth_users:\n  alice: ") + kHash + "\n"), "(accepted)");
}

TEST_F(WebConfigTest, RefusesUnknownKeysWithPosition) {
  EXPECT_THAT(ErrorOf("http_server_config:\n  http2: false\n"),
              StartsWith("web.yml:1:1: unknown key \"http_server_config\" at the top level"));
  EXPECT_THAT(ErrorOf("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                      "  client_auth_type: RequireAndVerifyClientCert\n"),
              StartsWith("web.yml:4:3: unknown key \"client_auth_type\" in tls_server_config"));
}

TEST_F(WebConfigTest, RefusesDuplicateKeysWithPosition) {
  EXPECT_THAT(ErrorOf(std::string("basic_auth_users:\n  alice: ") + kHash +
                      "\nbasic_auth_users:\n  bob: " + kHash + "\n"),
              StartsWith("web.yml:3:1: duplicate key \"basic_auth_users\""));
  EXPECT_THAT(
      ErrorOf(std::string("basic_auth_users:\n  alice: ") + kHash + "\n  alice: " + kHash + "\n"),
      StartsWith("web.yml:3:3: duplicate key \"alice\" in basic_auth_users"));
}

TEST_F(WebConfigTest, RefusesMissingUnreadableAndNonPemFiles) {
  EXPECT_THAT(ErrorOf("tls_server_config:\n  cert_file: server.crt\n"),
              StartsWith("web.yml:2:3: tls_server_config has no key_file"));
  EXPECT_THAT(ErrorOf("tls_server_config:\n  cert_file: /nonexistent/server.crt\n"
                      "  key_file: server.key\n"),
              StartsWith("web.yml:2:14: tls_server_config.cert_file \"/nonexistent/server.crt\" "
                         "cannot be read: No such file or directory"));
  EXPECT_THAT(ErrorOf("tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n"),
              StartsWith("web.yml:3:13: tls_server_config.key_file \"" + cert_ +
                         "\" holds no PEM private key"));
  EXPECT_THAT(ErrorOf("tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n"),
              StartsWith("web.yml:2:14: tls_server_config.cert_file \"" + key_ +
                         "\" holds no PEM certificate"));
  EXPECT_THAT(ErrorOf("tls_server_config:\n  cert_file: .\n  key_file: server.key\n"),
              HasSubstr("cannot be read: it is a directory"));
}

TEST_F(WebConfigTest, RefusesPasswordsThatAreNotBcryptHashes) {
  EXPECT_THAT(ErrorOf("basic_auth_users:\n  alice: s3cret\n"),
              StartsWith("web.yml:2:10: basic_auth_users.alice is not a bcrypt hash"));
  EXPECT_THAT(ErrorOf("basic_auth_users:\n  alice: [a]\n"),
              StartsWith("web.yml:2:10: basic_auth_users.alice must be a bcrypt hash"));
  EXPECT_THAT(ErrorOf("basic_auth_users:\n  \"a:b\": " + std::string(kHash) + "\n"),
              StartsWith("web.yml:2:3: user name \"a:b\" must be non-empty"));
}

TEST_F(WebConfigTest, RefusesWrongShapesAndInvalidYaml) {
  EXPECT_THAT(ErrorOf("basic_auth_users: [alice]\n"),
              StartsWith("web.yml:1:19: basic_auth_users must be a map"));
  EXPECT_THAT(ErrorOf("tls_server_config: yes\n"),
              StartsWith("web.yml:1:20: tls_server_config must be a map"));
  EXPECT_THAT(ErrorOf("basic_auth_users:\n  alice: [a, b\n"),
              StartsWith("web.yml:3:1: invalid YAML: end of sequence flow not found"));
}

TEST(WebConfigFile, UnreadableFileIsAnErrorAtZeroZero) {
  try {
    LoadWebConfigFile("/nonexistent/web.yml");
    FAIL() << "accepted a missing file";
  } catch (const config::ConfigError& error) {
    EXPECT_THAT(error.what(), StartsWith("/nonexistent/web.yml:0:0: cannot read: "));
  }
}

TEST(BcryptHashShape, AcceptsTheThreeVariantsAndRefusesOthers) {
  EXPECT_TRUE(IsBcryptHash(kHash));
  EXPECT_TRUE(IsBcryptHash("$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
  EXPECT_TRUE(IsBcryptHash("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_FALSE(IsBcryptHash("$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_FALSE(IsBcryptHash("$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_FALSE(IsBcryptHash("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe"));
  EXPECT_FALSE(IsBcryptHash("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!"));
  EXPECT_FALSE(IsBcryptHash("$6$salt$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz123"));
}

}  // namespace
}  // namespace vmq::expose
