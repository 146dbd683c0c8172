// The real exporter sends a target's VerneMQ API key (apikey mode) read from its file.

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "common/fixtures.h"
#include "common/http.h"
#include "common/process.h"
#include "common/server_thread.h"
#include "e2e/cluster.h"

namespace vmq::testing {
namespace {

using std::chrono::seconds;

// A VerneMQ node with `auth.mode = apikey`: the real 2.1.2 page for the right key, 401 else.
class ApiKeyNode {
 public:
  explicit ApiKeyNode(std::string key) : key_(std::move(key)) {
    page_ = ReadFixture("2.1.2/02-after-v4-unexpected-pubcomp.txt");
    server_.Get("/metrics", [this](const httplib::Request& request, httplib::Response& response) {
      if (request.get_header_value("x-api-key") != key_) {
        response.status = 401;
        return;
      }
      response.set_content(page_, "text/plain; version=0.0.4");
    });
    running_ = std::make_unique<ServerThread>(server_);
  }
  int port() const { return running_->port(); }

 private:
  std::string key_;
  std::string page_;
  httplib::Server server_;
  std::unique_ptr<ServerThread> running_;
};

TEST(ExporterAuth, SendsApiKeyFromFileAndReportsRefusalAsHttpStatus) {
  TempDir dir;
  ApiKeyNode node("s3cret-key");
  const std::string good_key = dir.Write("good.key", "s3cret-key\n");
  const std::string bad_key = dir.Write("bad.key", "wrong-key\n");
  const std::string url = "http://127.0.0.1:" + std::to_string(node.port()) + "/metrics";
  Exporter exporter(dir,
                    "targets:\n"
                    "  - {name: good, url: \"" +
                        url + "\", api_key_file: " + good_key +
                        "}\n"
                        "  - {name: bad, url: \"" +
                        url + "\", api_key_file: " + bad_key +
                        "}\n"
                        "poll: {interval: 1s, timeout: 800ms}\n"
                        "windows: [5s, 1m]\n");
  ASSERT_TRUE(exporter.WaitReady()) << exporter.process().Stderr();
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string page = exporter.Metrics();
        return SampleValue(page, "vmq_target_up{target=\"good\"}") == 1 &&
               SampleValue(
                   page, "vmq_target_poll_errors_total{target=\"bad\",reason=\"http_status\"}") > 0;
      },
      seconds(10)))
      << exporter.Metrics();
  const std::string page = exporter.Metrics();
  EXPECT_EQ(SampleValue(page, "vmq_target_up{target=\"bad\"}"), 0);
  // The key never shows up in what the exporter publishes or logs.
  EXPECT_EQ(page.find("s3cret"), std::string::npos);
  EXPECT_EQ(HttpGet(exporter.port(), "/").body.find("s3cret"), std::string::npos);
  EXPECT_EQ(exporter.process().Stderr().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace vmq::testing
