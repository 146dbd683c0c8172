// The real exporter with --web.config.file: HTTPS with a certificate made by the openssl CLI,
// basic auth against a bcrypt hash, and web configuration errors at start-up.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "common/bcrypt.h"
#include "common/certificate.h"
#include "common/http.h"
#include "common/process.h"

namespace vmq::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kConfig[] = "targets:\n  - url: http://127.0.0.1:1/metrics\n";

// A self-signed certificate for 127.0.0.1, which the client then trusts as its CA.
class TlsExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.path() + "/server.crt";
    key_ = dir_.path() + "/server.key";
    ASSERT_EQ(MakeSelfSignedCertificate(cert_, key_), "");
  }

  void StartExporter(const std::string& web_yaml) {
    port_ = FreePort();
    exporter_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{BinaryPath("vernemq-pubcomp-exporter"),
                                 "--config.file=" + dir_.Write("config.yaml", kConfig),
                                 "--web.config.file=" + dir_.Write("web.yml", web_yaml),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        dir_.path() + "/exporter");
  }

  std::unique_ptr<httplib::SSLClient> Client() const {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    client->set_ca_cert_path(cert_.c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(5);
    client->set_read_timeout(5);
    return client;
  }

  int HttpsStatus(const std::string& path, const std::string& user = "",
                  const std::string& password = "") const {
    auto client = Client();
    if (!user.empty()) client->set_basic_auth(user.c_str(), password.c_str());
    const httplib::Result result = client->Get(path.c_str());
    return result ? result->status : 0;
  }

  bool WaitHealthy() const {
    return WaitFor([&] { return HttpsStatus("/-/healthy") == 200; }, seconds(15));
  }

  TempDir dir_;
  std::string cert_;
  std::string key_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> exporter_;
};

TEST_F(TlsExporterTest, ServesHttpsAndRequiresBasicAuthExceptForHealthy) {
  StartExporter("tls_server_config:\n  cert_file: " + cert_ + "\n  key_file: " + key_ +
                "\nbasic_auth_users:\n  alice: " + Bcrypt("s3cret") + "\n");
  ASSERT_TRUE(WaitHealthy()) << exporter_->Stderr();

  auto client = Client();
  client->set_basic_auth("alice", "s3cret");
  const httplib::Result metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics) << httplib::to_string(metrics.error());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body, HasSubstr("vmq_target_up"));

  const httplib::Result refused = Client()->Get("/metrics");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_THAT(refused->get_header_value("WWW-Authenticate"), StartsWith("Basic"));
  EXPECT_EQ(HttpsStatus("/metrics", "alice", "wrong"), 401);
  EXPECT_EQ(HttpsStatus("/metrics", "bob", "s3cret"), 401);
  EXPECT_EQ(HttpsStatus("/", "alice", "s3cret"), 200);
  EXPECT_EQ(HttpsStatus("/-/ready"), 401);
  EXPECT_EQ(HttpsStatus("/-/healthy"), 200);

  EXPECT_EQ(HttpGet(port_, "/-/healthy").status, 0) << "plain HTTP must not be served";
  EXPECT_EQ(exporter_->Stop(), 0);
}

TEST_F(TlsExporterTest, TlsWithoutUsersServesEveryoneOverHttps) {
  StartExporter("tls_server_config:\n  cert_file: " + cert_ + "\n  key_file: " + key_ + "\n");
  ASSERT_TRUE(WaitHealthy()) << exporter_->Stderr();
  EXPECT_EQ(HttpsStatus("/metrics"), 200);
}

TEST_F(TlsExporterTest, MismatchedKeyStopsStartUp) {
  std::string output;
  const std::string other_key = dir_.path() + "/other.key";
  ASSERT_EQ(RunCommand({"openssl", "genrsa", "-out", other_key, "2048"}, &output), 0) << output;
  StartExporter("tls_server_config:\n  cert_file: " + cert_ + "\n  key_file: " + other_key + "\n");
  EXPECT_NE(exporter_->Wait(seconds(15)), 0);
  EXPECT_THAT(exporter_->Stderr(), HasSubstr("cannot use the TLS certificate and key"));
}

TEST(WebConfigCli, BasicAuthWithoutTlsAsksPlainHttpForCredentials) {
  TempDir dir;
  const int port = FreePort();
  ChildProcess exporter(
      {BinaryPath("vernemq-pubcomp-exporter"), "--config.file=" + dir.Write("config.yaml", kConfig),
       "--web.config.file=" +
           dir.Write("web.yml", "basic_auth_users:\n  alice: " + Bcrypt("pw") + "\n"),
       "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      dir.path() + "/exporter");
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port, "/-/healthy").status == 200; }, seconds(15)))
      << exporter.Stderr();
  EXPECT_EQ(HttpGet(port, "/metrics").status, 401);
  EXPECT_EQ(HttpGet(port, "/metrics", {{"Authorization", "Basic YWxpY2U6cHc="}}).status, 200);
}

TEST(WebConfigCli, InvalidWebConfigExitsTwoWithFileLineColumn) {
  TempDir dir;
  const std::string config = dir.Write("config.yaml", kConfig);
  const std::string web = dir.Write("web.yml",
                                    "basic_auth_users:\n"
                                    "  alice: plaintext\n");
  std::string output;
  EXPECT_EQ(RunExporter({"--config.file=" + config, "--web.config.file=" + web}, &output), 2);
  EXPECT_THAT(output, StartsWith(web + ":2:10: basic_auth_users.alice is not a bcrypt hash"));

  const std::string unknown = dir.Write("unknown.yml", "http_server_config: {}\n");
  EXPECT_EQ(
      RunExporter({"--config.check", "--config.file=" + config, "--web.config.file=" + unknown},
                  &output),
      2);
  EXPECT_THAT(output, StartsWith(unknown + ":1:1: unknown key \"http_server_config\""));

  EXPECT_EQ(
      RunExporter({"--config.file=" + config, "--web.config.file=/nonexistent/web.yml"}, &output),
      2);
  EXPECT_THAT(output, StartsWith("/nonexistent/web.yml:0:0: cannot read"));
}

}  // namespace
}  // namespace vmq::testing
