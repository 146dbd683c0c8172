// Hostile clients of the exporter's own HTTP server, against the real binary: idle and
// slow-loris connections, oversized and endless headers, a wrong-password flood, idle TLS
// connections and a thousand keep-alive scrapers. After each attack the process is alive and
// a normal scrape answers. Time bounds are generous (they catch a stall, not a slowdown;
// bench/server_stress.sh measures the figures).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/bcrypt.h"
#include "common/certificate.h"
#include "common/http.h"
#include "common/process.h"
#include "faults/clients/raw_client.h"

namespace vmq::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

// The target is a closed port: the server is under test, not the poll.
constexpr char kConfig[] = "targets:\n  - url: http://127.0.0.1:1/metrics\n";
// Well above the server's 5 s request deadline, well below a hang.
constexpr auto kScrapeBound = seconds(5);

class HostileClients : public ::testing::Test {
 protected:
  // This process holds up to a thousand connections too.
  static void SetUpTestSuite() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
      limit.rlim_cur = limit.rlim_max;
      setrlimit(RLIMIT_NOFILE, &limit);
    }
  }

  void StartExporter(const std::string& web_yaml = "",
                     const std::vector<std::string>& prefix = {}) {
    port_ = FreePort();
    std::vector<std::string> argv = prefix;
    argv.insert(argv.end(), {BinaryPath("vernemq-pubcomp-exporter"),
                             "--config.file=" + dir_.Write("config.yaml", kConfig),
                             "--web.listen-address=127.0.0.1:" + std::to_string(port_)});
    if (!web_yaml.empty()) argv.push_back("--web.config.file=" + dir_.Write("web.yml", web_yaml));
    exporter_ = std::make_unique<ChildProcess>(argv, dir_.path() + "/exporter");
    ASSERT_TRUE(WaitFor([&] { return Status("/-/healthy") == 200; }, seconds(15)))
        << exporter_->Stderr();
  }

  void MakeCertificate() {
    cert_ = dir_.path() + "/server.crt";
    key_ = dir_.path() + "/server.key";
    ASSERT_EQ(MakeSelfSignedCertificate(cert_, key_), "");
  }

  std::string TlsYaml() const {
    return "tls_server_config:\n  cert_file: " + cert_ + "\n  key_file: " + key_ + "\n";
  }

  int Status(const std::string& path, const std::map<std::string, std::string>& headers = {}) {
    if (cert_.empty()) return HttpGet(port_, path, headers).status;
    httplib::SSLClient client("127.0.0.1", port_);
    client.set_ca_cert_path(cert_.c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    httplib::Headers request_headers(headers.begin(), headers.end());
    const httplib::Result result = client.Get(path.c_str(), request_headers);
    return result ? result->status : 0;
  }

  // A normal scrape: 200 within kScrapeBound.
  void ExpectScrapeAnswers(const std::map<std::string, std::string>& headers = {}) {
    const Clock::time_point start = Clock::now();
    EXPECT_EQ(Status("/metrics", headers), 200);
    EXPECT_LT(Clock::now() - start, kScrapeBound);
    EXPECT_TRUE(exporter_->Running()) << exporter_->Stderr();
  }

  double Refused(const std::string& reason, const std::map<std::string, std::string>& auth = {}) {
    std::string page;
    if (cert_.empty()) {
      page = HttpGet(port_, "/metrics", auth).body;
    } else {
      httplib::SSLClient client("127.0.0.1", port_);
      client.enable_server_certificate_verification(false);
      httplib::Headers headers(auth.begin(), auth.end());
      const httplib::Result result = client.Get("/metrics", headers);
      if (result) page = result->body;
    }
    return SampleValue(page, "vmq_http_refused_total{reason=\"" + reason + "\"}");
  }

  // The server reads its counters for the page at most once per second: wait for them.
  bool RefusedReaches(const std::string& reason, double at_least,
                      const std::map<std::string, std::string>& auth = {}) {
    return WaitFor([&] { return Refused(reason, auth) >= at_least; }, seconds(5));
  }

  long RssKb() const { return ProcessMemoryKb(exporter_->pid()); }

  TempDir dir_;
  std::string cert_;
  std::string key_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> exporter_;
};

std::vector<RawConnection> OpenConnections(int port, int count) {
  std::vector<RawConnection> connections;
  for (int i = 0; i < count; ++i) {
    connections.emplace_back(port);
    EXPECT_TRUE(connections.back().ok()) << "connection " << i;
  }
  return connections;
}

TEST_F(HostileClients, IdleAndSlowLorisConnectionsDoNotStallAScrape) {
  StartExporter();
  std::vector<RawConnection> idle = OpenConnections(port_, 500);
  std::vector<RawConnection> slow = OpenConnections(port_, 100);
  for (RawConnection& connection : slow) connection.Send("GET /metrics HTTP/1.1\r\nHo");
  ExpectScrapeAnswers();
  // A slow-loris client keeps dripping; the request deadline (5 s) still closes it.
  const Clock::time_point start = Clock::now();
  for (int second = 0; second < 4; ++second) {
    std::this_thread::sleep_for(seconds(1));
    for (RawConnection& connection : slow) connection.Send("s");
    ExpectScrapeAnswers();
  }
  for (RawConnection& connection : slow) EXPECT_TRUE(connection.ClosedByPeer(seconds(10)));
  for (RawConnection& connection : idle) EXPECT_TRUE(connection.ClosedByPeer(seconds(5)));
  EXPECT_LT(Clock::now() - start, seconds(20));
  // A connection is counted just after it is closed.
  EXPECT_TRUE(RefusedReaches("request_timeout", 600));
  ExpectScrapeAnswers();
}

TEST_F(HostileClients, OversizeHeadersAreRefusedWith431) {
  StartExporter();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send(
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n"));
  EXPECT_THAT(connection.Receive(seconds(5)), StartsWith("HTTP/1.1 431 "));
  EXPECT_TRUE(connection.ClosedByPeer(seconds(5)));

  // Just under the limit is served.
  RawConnection fits(port_);
  ASSERT_TRUE(fits.Send("GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: " +
                        std::string(15 * 1024, 'a') + "\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(fits.Receive(seconds(5)), StartsWith("HTTP/1.1 200 "));
  EXPECT_TRUE(RefusedReaches("header_too_large", 1));
  EXPECT_EQ(Refused("header_too_large"), 1);
  ExpectScrapeAnswers();
}

TEST_F(HostileClients, HeadersNotCompleteWithinTheDeadlineAreClosed) {
  StartExporter();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
  const Clock::time_point start = Clock::now();
  bool closed = false;
  // One header byte every 500 ms: far quicker than any idle timeout, yet never complete.
  while (!closed && Clock::now() - start < seconds(20)) {
    closed = !connection.Send("X") || connection.ClosedByPeer(milliseconds(500));
  }
  EXPECT_TRUE(closed);
  EXPECT_GT(Clock::now() - start, seconds(3));
  EXPECT_LT(Clock::now() - start, seconds(15));
  EXPECT_TRUE(RefusedReaches("request_timeout", 1));
  ExpectScrapeAnswers();
}

TEST_F(HostileClients, HugeHeadersKeepMemoryBounded) {
  StartExporter();
  ExpectScrapeAnswers();
  const long before = RssKb();
  ASSERT_GT(before, 0);
  // A 100 MB header line, and a million header lines, on 4 connections each.
  std::vector<std::thread> attackers;
  std::atomic<long> sent{0};
  for (int i = 0; i < 8; ++i) {
    attackers.emplace_back([&, i] {
      RawConnection connection(port_);
      connection.Send("GET /metrics HTTP/1.1\r\nHost: x\r\n");
      const std::string chunk = i % 2 == 0 ? std::string(64 * 1024, 'a') : [] {
        std::string lines;
        for (int n = 0; n < 8192; ++n) lines += "X-L: v\r\n";
        return lines;
      }();
      // 100 MB of one line, or 1,000,000 lines of 8 bytes (123 chunks of 8192 lines).
      const long chunks = i % 2 == 0 ? 1600 : 123;
      if (i % 2 == 0) connection.Send("X-Huge: ");
      for (long n = 0; n < chunks; ++n) {
        if (!connection.Send(chunk, seconds(2))) break;
        sent += static_cast<long>(chunk.size());
      }
    });
  }
  for (std::thread& attacker : attackers) attacker.join();
  EXPECT_TRUE(exporter_->Running()) << exporter_->Stderr();
  ExpectScrapeAnswers();
  const long after = RssKb();
  const long peak = ProcessMemoryKb(exporter_->pid(), "VmHWM");
  std::cout << "RSS before " << before << " kB, after " << after << " kB, peak " << peak << " kB; "
            << sent.load() << " header bytes sent\n";
  RecordProperty("rss_before_kb", std::to_string(before));
  RecordProperty("rss_after_kb", std::to_string(after));
  RecordProperty("rss_peak_kb", std::to_string(peak));
  EXPECT_LT(after - before, MemoryBoundKb(16 * 1024))
      << "before " << before << " kB, after " << after << " kB";
  EXPECT_LT(peak - before, MemoryBoundKb(32 * 1024))
      << "before " << before << " kB, peak " << peak << " kB";
  EXPECT_TRUE(RefusedReaches("header_too_large", 8));
}

TEST_F(HostileClients, WrongPasswordFloodDoesNotDelayACorrectScrape) {
  // bcrypt cost 10, as htpasswd -B makes by default: tens of milliseconds per check.
  StartExporter("basic_auth_users:\n  alice: " + Bcrypt("s3cret", 10) + "\n");
  const std::map<std::string, std::string> good = {
      {"Authorization", "Basic " + Base64("alice:s3cret")}};
  std::atomic<bool> stop{false};
  std::atomic<int> attempts{0};
  std::vector<std::thread> attackers;
  for (int i = 0; i < 64; ++i) {
    attackers.emplace_back([&, i] {
      std::mt19937 random(static_cast<unsigned>(i));
      while (!stop) {
        const std::string header = "Basic " + Base64("alice:guess" + std::to_string(random()));
        HttpGet(port_, "/metrics", {{"Authorization", header}});
        ++attempts;
      }
    });
  }
  // Each wrong guess checked while others wait is answered 5 s late, so the flood sends
  // at most 64 guesses per 5 s; scrapes over 8 s see it all along.
  std::this_thread::sleep_for(seconds(1));
  for (int i = 0; i < 8; ++i) {
    ExpectScrapeAnswers(good);
    std::this_thread::sleep_for(seconds(1));
  }
  stop = true;
  for (std::thread& attacker : attackers) attacker.join();
  EXPECT_GE(attempts.load(), 64);
  EXPECT_EQ(Status("/metrics"), 401);
  EXPECT_EQ(Status("/metrics", {{"Authorization", "Basic " + Base64("alice:wrong")}}), 401);
  EXPECT_TRUE(RefusedReaches("unauthorized", 64, good));
}

TEST_F(HostileClients, IdleTlsConnectionsDoNotStallAnHttpsScrape) {
  MakeCertificate();
  StartExporter(TlsYaml());
  std::vector<RawConnection> idle = OpenConnections(port_, 200);
  std::vector<RawConnection> partial = OpenConnections(port_, 20);
  // The first bytes of a TLS record header, then nothing.
  for (RawConnection& connection : partial) connection.Send(std::string("\x16\x03\x01", 3));
  ExpectScrapeAnswers();
  for (RawConnection& connection : partial) EXPECT_TRUE(connection.ClosedByPeer(seconds(10)));
  for (RawConnection& connection : idle) EXPECT_TRUE(connection.ClosedByPeer(seconds(5)));
  EXPECT_TRUE(RefusedReaches("tls_handshake", 220));
  ExpectScrapeAnswers();
}

TEST_F(HostileClients, AThousandKeepAliveScrapersAllGetAnswers) {
  StartExporter();
  std::vector<RawConnection> scrapers = OpenConnections(port_, 1000);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::thread> threads;
    std::atomic<int> answered{0};
    // 20 threads, 50 connections each, one request per connection per round.
    for (int t = 0; t < 20; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < 1000; i += 20) {
          if (KeepAliveGet(scrapers[static_cast<size_t>(i)], "/metrics", seconds(10)) == 200) {
            ++answered;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(answered.load(), 1000) << "round " << round;
  }
  EXPECT_GE(OpenFileCount(exporter_->pid()), 1000);
  ExpectScrapeAnswers();
}

TEST_F(HostileClients, ConnectionsBeyondTheLimitAreRefusedAndTheServerRecovers) {
  // An open-file limit of 256 caps connections at 192 (64 descriptors are kept in reserve).
  StartExporter("", {"prlimit", "--nofile=256:256"});
  std::vector<RawConnection> flood;
  // Some connects fail: the server resets those beyond the limit as soon as it accepts them.
  for (int i = 0; i < 400; ++i) flood.emplace_back(port_);
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_TRUE(exporter_->Running()) << exporter_->Stderr();
  EXPECT_LE(OpenFileCount(exporter_->pid()), 256);
  flood.clear();
  ASSERT_TRUE(WaitFor([&] { return Status("/metrics") == 200; }, seconds(10)));
  EXPECT_TRUE(RefusedReaches("too_many_connections", 150));
  EXPECT_THAT(exporter_->Stderr(), HasSubstr("reason=too_many_connections"));
}

}  // namespace
}  // namespace vmq::testing
