#include "poll/http_fetcher.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/http.h"

namespace vmq::poll {
namespace {

// A real HTTP server on loopback whose handlers the tests choose.
class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        accept_ = req.get_header_value("Accept");
        accept_encoding_ = req.get_header_value("Accept-Encoding");
      }
      res.set_content(page_, "text/plain; version=0.0.4");
    });
    server_.Get("/error", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom", "text/plain");
    });
    server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      release_.wait(lock, [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs is a no-op in cpp-httplib 0.11 and join would hang.
    while (!server_.is_running()) std::this_thread::yield();
  }

  void TearDown() override {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    release_.notify_all();
    server_.stop();
    thread_.join();
  }

  PollResult Fetch(const std::string& path, config::PollSettings settings = {}, int port = 0) {
    config::Url url;
    url.scheme = "http";
    url.host = "127.0.0.1";
    url.port = port == 0 ? port_ : port;
    url.path = path;
    url.text = "http://127.0.0.1:" + std::to_string(url.port) + path;
    HttpFetcher fetcher(url, settings, clock_);
    return fetcher.Fetch();
  }

  SystemClock clock_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable release_;
  bool released_ = false;
  std::string page_ = "mqtt_publish_error{node=\"n\"} 0\n";
  std::string accept_;
  std::string accept_encoding_;
};

TEST_F(FetcherTest, FetchesPageAskingForTextFormatAndGzip) {
  page_ = std::string(100000, '#') + "\n";  // large enough for the server to compress
  const PollResult result = Fetch("/metrics");
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body, page_);
  std::lock_guard lock(mu_);
  EXPECT_NE(accept_.find("text/plain;version=0.0.4"), std::string::npos);
  EXPECT_EQ(accept_encoding_, "gzip");
}

TEST_F(FetcherTest, ReportsNon200AsHttpStatusError) {
  const PollResult result = Fetch("/error");
  EXPECT_EQ(result.error, PollError::kHttpStatus);
  EXPECT_EQ(result.http_status, 500);
  EXPECT_TRUE(result.body.empty());
}

TEST_F(FetcherTest, ReportsRefusedConnectionAsConnectError) {
  const PollResult result = Fetch("/metrics", {}, testing::FreePort());
  EXPECT_EQ(result.error, PollError::kConnect);
  EXPECT_FALSE(result.detail.empty());
}

TEST_F(FetcherTest, GivesUpOnHangingServerAsTimeout) {
  config::PollSettings settings;
  settings.timeout = Millis(300);
  const PollResult result = Fetch("/hang", settings);
  EXPECT_EQ(result.error, PollError::kTimeout) << result.detail;
}

TEST_F(FetcherTest, CutsOffBodyAboveCap) {
  page_ = std::string(10000, 'x');
  config::PollSettings settings;
  settings.max_body_bytes = 1000;
  const PollResult result = Fetch("/metrics", settings);
  EXPECT_EQ(result.error, PollError::kBodyTooLarge);
  EXPECT_TRUE(result.body.empty());
}

TEST(PollError, EveryReasonHasADistinctName) {
  std::set<std::string_view> names;
  for (PollError error : kAllPollErrors) names.insert(ToString(error));
  EXPECT_EQ(names.size(), kAllPollErrors.size());
  EXPECT_FALSE(names.contains("none"));
}

}  // namespace
}  // namespace vmq::poll
