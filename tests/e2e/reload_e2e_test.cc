// Reloading the real exporter's configuration (SIGHUP, POST/PUT /-/reload) while it polls the
// real vmq-sim over loopback: kept targets keep their window counts and alert state, added
// ones are polled, removed ones leave the page, and a bad or missing file changes nothing but
// the reload metrics.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/bcrypt.h"
#include "common/certificate.h"
#include "common/http.h"
#include "common/process.h"
#include "e2e/cluster.h"

namespace vmq::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

std::string Target(const std::string& name, int port) {
  return "  - {name: " + name + ", url: \"http://127.0.0.1:" + std::to_string(port) +
         "/metrics\"}\n";
}

std::string Unexpected(const std::string& target, const std::string& window) {
  return "vmq_pubcomp_unexpected_received{target=\"" + target +
         "\",node=\"VerneMQ@127.0.0.1\",mqtt_version=\"4\",window=\"" + window + "\"}";
}
std::string AlertState(const std::string& target) {
  return "vmq_alert_state{alert=\"VerneMQPubcompUnexpected\",target=\"" + target +
         "\",node=\"VerneMQ@127.0.0.1\",mqtt_version=\"4\"}";
}
std::string Rule(int raise_above, int hold_above) {
  return "alerts:\n  window: 20s\n  rules:\n    - {alert: VerneMQPubcompUnexpected, signal: "
         "vmq_pubcomp_unexpected_received, raise_above: " +
         std::to_string(raise_above) + ", hold_above: " + std::to_string(hold_above) + "}\n";
}

// Every 1m window count and every alert state of `targets`: what a reload must keep.
std::vector<std::string> KeptLines(const std::string& page,
                                   const std::vector<std::string>& targets) {
  std::vector<std::string> kept;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const bool counted =
        line.rfind("vmq_pubcomp_", 0) == 0 && line.find("window=\"1m\"") != std::string::npos;
    if (!counted && line.rfind("vmq_alert_state{", 0) != 0) continue;
    for (const std::string& target : targets) {
      if (line.find("target=\"" + target + "\"") != std::string::npos) kept.push_back(line);
    }
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

class ReloadEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<SimulatedCluster>(
        dir_,
        std::vector<SimNode>{{"vmq-1", "2.x", ""}, {"vmq-2", "2.x", ""}, {"vmq-3", "2.x", ""}});
    ASSERT_TRUE(cluster_->ok());
  }

  std::string Config(const std::vector<std::string>& nodes, const std::string& windows,
                     const std::string& rule) const {
    std::string yaml = "targets:\n";
    for (const std::string& node : nodes) yaml += Target(node, cluster_->node_port(node));
    return yaml + "poll: {interval: 1s, timeout: 800ms}\nwindows: " + windows + "\n" + rule;
  }

  void Start(const std::string& config, bool lifecycle) {
    config_file_ = dir_.Write("config.yaml", config);
    port_ = FreePort();
    std::vector<std::string> argv = {
        BinaryPath("vernemq-pubcomp-exporter"), "--config.file=" + config_file_,
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=debug"};
    if (lifecycle) argv.push_back("--web.enable-lifecycle");
    exporter_ = std::make_unique<ChildProcess>(argv, dir_.path() + "/exporter");
    ASSERT_TRUE(WaitFor([&] { return HttpGet(port_, "/-/ready").status == 200; }, seconds(15)))
        << exporter_->Stderr();
  }

  std::string Metrics() const { return HttpGet(port_, "/metrics").body; }
  double Value(const std::string& series) const { return SampleValue(Metrics(), series); }
  bool WaitValue(const std::string& series, double value) const {
    return WaitFor([&] { return Value(series) == value; }, seconds(10));
  }
  void SigHup() const { ASSERT_EQ(kill(exporter_->pid(), SIGHUP), 0); }
  httplib::Result Request(const std::string& method) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    if (method == "POST") return client.Post("/-/reload");
    if (method == "PUT") return client.Put("/-/reload");
    return client.Get("/-/reload");
  }

  TempDir dir_;
  std::unique_ptr<SimulatedCluster> cluster_;
  std::unique_ptr<ChildProcess> exporter_;
  std::string config_file_;
  int port_ = 0;
};

TEST_F(ReloadEndToEnd, KeepsCountsAndAlertStateAcrossReloadsAndRefusesBadFiles) {
  Start(Config({"vmq-1", "vmq-2"}, "[5s, 20s, 1m]", Rule(2, 0)), true);
  // An alert is raised from a fully covered alert window only.
  ASSERT_TRUE(WaitFor(
      [&] { return Value("vmq_window_coverage_ratio{target=\"vmq-1\",window=\"20s\"}") == 1; },
      seconds(30)));
  ASSERT_EQ(cluster_->Inject("vmq-1", "v4_pubcomp_unknown_id", 5), 200);
  ASSERT_TRUE(WaitValue(Unexpected("vmq-1", "1m"), 5)) << Metrics();
  ASSERT_TRUE(WaitValue(AlertState("vmq-1"), 1)) << Metrics();
  const double started_at = Value("vmq_exporter_config_last_reload_success_timestamp_seconds");
  EXPECT_GT(started_at, 0);
  EXPECT_EQ(Value("vmq_exporter_config_last_reload_successful"), 1);

  const std::vector<std::string> before = KeptLines(Metrics(), {"vmq-1", "vmq-2"});
  ASSERT_GE(before.size(), 8u);  // three signals x two versions, alert states, both targets

  // SIGHUP with one more target.
  dir_.Write("config.yaml", Config({"vmq-1", "vmq-2", "vmq-3"}, "[5s, 20s, 1m]", Rule(2, 0)));
  SigHup();
  ASSERT_TRUE(WaitValue("vmq_target_up{target=\"vmq-3\"}", 1)) << exporter_->Stderr();
  EXPECT_EQ(KeptLines(Metrics(), {"vmq-1", "vmq-2"}), before);
  EXPECT_EQ(Value(Unexpected("vmq-1", "1m")), 5);
  EXPECT_EQ(Value(AlertState("vmq-1")), 1);
  // The reload left no gap in what the exporter watched.
  EXPECT_EQ(Value("vmq_window_coverage_ratio{target=\"vmq-1\",window=\"20s\"}"), 1);
  EXPECT_TRUE(
      WaitFor([&] { return Value("vmq_target_polls_total{target=\"vmq-3\"}") >= 2; }, seconds(10)));
  EXPECT_EQ(Value("vmq_exporter_config_last_reload_successful"), 1);
  EXPECT_GE(Value("vmq_exporter_config_last_reload_success_timestamp_seconds"), started_at);
  const double reloaded_at = Value("vmq_exporter_config_last_reload_success_timestamp_seconds");

  // An invalid file: everything keeps running, the error is logged with FILE:LINE:COL.
  dir_.Write("config.yaml", Config({"vmq-1"}, "[5s, 1m]", "poll: {interval: nope}\n"));
  SigHup();
  ASSERT_TRUE(WaitValue("vmq_exporter_config_last_reload_successful", 0)) << Metrics();
  EXPECT_THAT(exporter_->Stderr(), HasSubstr(config_file_ + ":"));
  EXPECT_THAT(exporter_->Stderr(), HasSubstr("configuration not reloaded"));
  EXPECT_EQ(Value("vmq_exporter_config_last_reload_success_timestamp_seconds"), reloaded_at);
  EXPECT_EQ(Value(Unexpected("vmq-1", "1m")), 5);
  const double polls = Value("vmq_target_polls_total{target=\"vmq-3\"}");
  EXPECT_TRUE(WaitFor([&] { return Value("vmq_target_polls_total{target=\"vmq-3\"}") > polls; },
                      seconds(10)));
  const httplib::Result refused = Request("POST");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 500);
  EXPECT_THAT(refused->body, HasSubstr("failed to reload config: " + config_file_ + ":"));

  // A file that disappears.
  ASSERT_EQ(std::remove(config_file_.c_str()), 0);
  const httplib::Result missing = Request("PUT");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 500);
  EXPECT_THAT(missing->body, HasSubstr("cannot read"));
  EXPECT_EQ(Value(Unexpected("vmq-1", "1m")), 5);
  EXPECT_EQ(Value("vmq_exporter_config_last_reload_successful"), 0);

  // Remove a target, change a window and the threshold: 5 is below the new hold_above.
  dir_.Write("config.yaml", Config({"vmq-1", "vmq-3"}, "[10s, 20s, 1m]", Rule(10, 6)));
  const httplib::Result applied = Request("POST");
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->status, 200) << applied->body;
  const std::string page = Metrics();
  EXPECT_EQ(page.find("target=\"vmq-2\""), std::string::npos);
  EXPECT_EQ(SampleValue(page, Unexpected("vmq-1", "1m")), 5);
  EXPECT_FALSE(std::isnan(SampleValue(page, Unexpected("vmq-1", "10s")))) << page;
  EXPECT_TRUE(std::isnan(SampleValue(page, Unexpected("vmq-1", "5s"))));
  EXPECT_EQ(SampleValue(page, AlertState("vmq-1")), 0);
  EXPECT_EQ(SampleValue(page, "vmq_exporter_config_last_reload_successful"), 1);

  const httplib::Result get = Request("GET");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST, PUT");
  EXPECT_TRUE(exporter_->Running());
}

TEST_F(ReloadEndToEnd, WithoutTheLifecycleFlagOnlySigHupReloads) {
  Start(Config({"vmq-1"}, "[5s, 1m]", ""), false);
  for (const char* method : {"POST", "PUT"}) {
    const httplib::Result answer = Request(method);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 403) << method;
    EXPECT_EQ(answer->body, "Lifecycle API is not enabled.\n");
  }
  const httplib::Result get = Request("GET");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  dir_.Write("config.yaml", Config({"vmq-1", "vmq-2"}, "[5s, 1m]", ""));
  SigHup();
  EXPECT_TRUE(WaitValue("vmq_target_up{target=\"vmq-2\"}", 1)) << exporter_->Stderr();
}

// --web.config.file is read again when it changes: a new password and a new certificate take
// effect at the next request and handshake, and a broken file fails closed until it is fixed.
class WebConfigRotation : public ::testing::Test {
 protected:
  std::string WebYaml(const std::string& cert, const std::string& key,
                      const std::string& users) const {
    return "tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key +
           "\nbasic_auth_users:\n" + users;
  }
  // Status of GET `path` over a new connection trusting `ca`; 0 when the handshake fails.
  int Status(const std::string& ca, const std::string& path, const std::string& password) const {
    httplib::SSLClient client("127.0.0.1", port_);
    client.set_ca_cert_path(ca.c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5);
    client.set_read_timeout(5);
    if (!password.empty()) client.set_basic_auth("alice", password.c_str());
    const httplib::Result result = client.Get(path.c_str());
    return result ? result->status : 0;
  }

  // The exporter with the web config file `web` and a target nobody answers, on a free port.
  ChildProcess StartExporter(const std::string& web) {
    port_ = FreePort();
    return ChildProcess(
        {BinaryPath("vernemq-pubcomp-exporter"),
         "--config.file=" +
             dir_.Write("config.yaml", "targets:\n  - url: http://127.0.0.1:1/metrics\n"),
         "--web.config.file=" + web, "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        dir_.path() + "/exporter");
  }

  TempDir dir_;
  int port_ = 0;
};

TEST_F(WebConfigRotation, NewPasswordAndCertificateApplyWithoutARestartAndABrokenFileFailsClosed) {
  const std::string cert1 = dir_.path() + "/one.crt", key1 = dir_.path() + "/one.key";
  const std::string cert2 = dir_.path() + "/two.crt", key2 = dir_.path() + "/two.key";
  ASSERT_EQ(MakeSelfSignedCertificate(cert1, key1), "");
  ASSERT_EQ(MakeSelfSignedCertificate(cert2, key2), "");
  const std::string web =
      dir_.Write("web.yml", WebYaml(cert1, key1, "  alice: " + Bcrypt("first") + "\n"));
  ChildProcess exporter = StartExporter(web);
  ASSERT_TRUE(WaitFor([&] { return Status(cert1, "/-/healthy", "") == 200; }, seconds(15)))
      << exporter.Stderr();
  EXPECT_EQ(Status(cert1, "/metrics", "first"), 200);
  EXPECT_EQ(Status(cert1, "/metrics", "second"), 401);

  // A new password.
  dir_.Write("web.yml", WebYaml(cert1, key1, "  alice: " + Bcrypt("second") + "\n"));
  EXPECT_EQ(Status(cert1, "/metrics", "second"), 200) << exporter.Stderr();
  EXPECT_EQ(Status(cert1, "/metrics", "first"), 401);

  // A new certificate and key: new connections get it, a client trusting the old one fails.
  dir_.Write("web.yml", WebYaml(cert2, key2, "  alice: " + Bcrypt("second") + "\n"));
  EXPECT_EQ(Status(cert2, "/metrics", "second"), 200) << exporter.Stderr();
  EXPECT_EQ(Status(cert1, "/metrics", "second"), 0);

  // A broken file: nothing is served (handshakes refused, as exporter-toolkit does), and the
  // error is logged.
  dir_.Write("web.yml", WebYaml(cert2, key2, "  alice: not-a-bcrypt-hash\n"));
  EXPECT_EQ(Status(cert2, "/metrics", "second"), 0);
  EXPECT_TRUE(WaitFor(
      [&] {
        return exporter.Stderr().find("web config file unreadable or invalid") != std::string::npos;
      },
      seconds(5)));
  ASSERT_EQ(std::remove(web.c_str()), 0);
  EXPECT_EQ(Status(cert2, "/metrics", "second"), 0);

  // Fixed again.
  dir_.Write("web.yml", WebYaml(cert2, key2, "  alice: " + Bcrypt("third") + "\n"));
  EXPECT_EQ(Status(cert2, "/metrics", "third"), 200) << exporter.Stderr();
  EXPECT_TRUE(exporter.Running());
}

TEST_F(WebConfigRotation, ABrokenFileAnswersPlainHttpRequestsWith500) {
  const std::string web =
      dir_.Write("web.yml", "basic_auth_users:\n  alice: " + Bcrypt("pw") + "\n");
  ChildProcess exporter = StartExporter(web);
  ASSERT_TRUE(WaitFor([&] { return HttpGet(port_, "/-/healthy").status == 200; }, seconds(15)));
  EXPECT_EQ(HttpGet(port_, "/metrics").status, 401);
  dir_.Write("web.yml", "basic_auth_users: [\n");
  const HttpResponse refused = HttpGet(port_, "/metrics");
  EXPECT_EQ(refused.status, 500);
  EXPECT_EQ(refused.body, "Internal Server Error\n");
  EXPECT_EQ(HttpGet(port_, "/-/healthy").status, 200);  // liveness reveals nothing
  // Fixed: authentication is asked again, never skipped.
  dir_.Write("web.yml", "basic_auth_users:\n  bob: " + Bcrypt("pw") + "\n");
  EXPECT_EQ(HttpGet(port_, "/metrics").status, 401);
}

}  // namespace
}  // namespace vmq::testing
