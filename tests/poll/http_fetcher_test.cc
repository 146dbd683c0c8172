#include "poll/http_fetcher.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <gmock/gmock.h>

#include <sys/stat.h>

#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <future>

#include "common/certificate.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/process.h"
#include "common/server_thread.h"
#include "faults/upstream/hostile_upstream.h"
#include "poll/fetch_once.h"
#include "poll/resolver_pool.h"

namespace vmq::poll {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kApiKey[] = "SECRET-API-KEY";

config::Target LoopbackTarget(const std::string& scheme, int port,
                              const std::string& path = "/metrics") {
  config::Target target;
  target.url.scheme = scheme;
  target.url.host = "127.0.0.1";
  target.url.port = port;
  target.url.path = path;
  target.url.text = scheme + "://127.0.0.1:" + std::to_string(port) + path;
  target.name = "vmq";
  return target;
}

using testing::ServerThread;

// Sets (or, with nullopt, removes) an environment variable for the life of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A real HTTP server on loopback whose handlers the tests choose.
class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        accept_ = req.get_header_value("Accept");
        accept_encoding_ = req.get_header_value("Accept-Encoding");
        api_key_ = req.get_header_value("x-api-key");
        authorization_ = req.get_header_value("Authorization");
      }
      res.set_content(page_, "text/plain; version=0.0.4");
    });
    server_.Get("/chunked", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [this](size_t, httplib::DataSink& sink) {
        for (size_t at = 0; at < page_.size(); at += 4096)
          sink.write(page_.data() + at, std::min<size_t>(4096, page_.size() - at));
        sink.done();
        return true;
      });
    });
    server_.Get("/protected",
                [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
    server_.Get("/error", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom", "text/plain");
    });
    server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      release_.wait(lock, [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    running_ = std::make_unique<ServerThread>(server_);
    port_ = running_->port();
  }

  void TearDown() override {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    release_.notify_all();
    running_.reset();
  }

  PollResult Fetch(const std::string& path, config::PollSettings settings = {}, int port = 0) {
    return Fetch(LoopbackTarget("http", port == 0 ? port_ : port, path), settings);
  }

  PollResult Fetch(const config::Target& target, config::PollSettings settings = {}) {
    return FetchOnce(loop_, target, settings);
  }

  SystemClock clock_;
  HttpPollLoop loop_{clock_};
  httplib::Server server_;
  std::unique_ptr<ServerThread> running_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable release_;
  bool released_ = false;
  std::string page_ = "mqtt_publish_error{node=\"n\"} 0\n";
  std::string accept_;
  std::string accept_encoding_;
  std::string api_key_;
  std::string authorization_;
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

TEST_F(FetcherTest, SendsNoCredentialsUnlessConfigured) {
  ASSERT_TRUE(Fetch("/metrics").ok());
  std::lock_guard lock(mu_);
  EXPECT_EQ(api_key_, "");
  EXPECT_EQ(authorization_, "");
}

TEST_F(FetcherTest, SendsApiKeyInXApiKeyHeader) {
  config::Target target = LoopbackTarget("http", port_);
  target.api_key = kApiKey;
  const PollResult result = Fetch(target);
  ASSERT_TRUE(result.ok()) << result.detail;
  std::lock_guard lock(mu_);
  EXPECT_EQ(api_key_, kApiKey);
  EXPECT_EQ(authorization_, "");
}

TEST_F(FetcherTest, SendsBasicAuth) {
  config::Target target = LoopbackTarget("http", port_);
  target.basic_auth = config::BasicAuth{"vmq", "s3cret"};
  const PollResult result = Fetch(target);
  ASSERT_TRUE(result.ok()) << result.detail;
  std::lock_guard lock(mu_);
  EXPECT_EQ(authorization_, "Basic dm1xOnMzY3JldA==");  // base64("vmq:s3cret")
  EXPECT_EQ(api_key_, "");
}

TEST_F(FetcherTest, ReportsRefusedCredentialsWithoutNamingThem) {
  config::Target target = LoopbackTarget("http", port_, "/protected");
  target.api_key = kApiKey;
  const PollResult result = Fetch(target);
  EXPECT_EQ(result.error, PollError::kHttpStatus);
  EXPECT_EQ(result.detail, "HTTP status 401 (the target refused the configured credentials)");
}

TEST_F(FetcherTest, SuggestsCredentialsWhenTargetWantsThem) {
  const PollResult result = Fetch("/protected");
  EXPECT_EQ(result.error, PollError::kHttpStatus);
  EXPECT_EQ(result.detail, "HTTP status 401 (the target wants credentials: set api_key_file)");
}

struct CertPair {
  std::string cert;
  std::string key;
};

// HTTPS on loopback with self-signed certificates that the openssl CLI makes once for the
// suite: one valid for 127.0.0.1, one for another host name.
class TlsFetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    loopback_ = MakeCert("loopback", "IP:127.0.0.1");
    other_host_ = MakeCert("other", "DNS:other.example");
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static CertPair MakeCert(const std::string& name, const std::string& subject_alt_name) {
    const CertPair pair{dir_->path() + "/" + name + ".crt", dir_->path() + "/" + name + ".key"};
    openssl_errors_ += testing::MakeSelfSignedCertificate(pair.cert, pair.key, subject_alt_name);
    return pair;
  }

  void SetUp() override { ASSERT_EQ(openssl_errors_, "") << "openssl req failed"; }

  void Serve(const CertPair& pair) {
    server_ = std::make_unique<httplib::SSLServer>(pair.cert.c_str(), pair.key.c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        api_key_ = req.get_header_value("x-api-key");
      }
      res.set_content("mqtt_publish_error{node=\"n\"} 0\n", "text/plain; version=0.0.4");
    });
    running_ = std::make_unique<ServerThread>(*server_);
  }

  PollResult Fetch(const config::TlsSettings& tls) {
    config::Target target = LoopbackTarget("https", running_->port());
    target.api_key = kApiKey;
    target.tls = tls;
    HttpPollLoop loop(clock_);  // a new TLS context: SSL_CERT_FILE as the test sets it
    return FetchOnce(loop, target);
  }

  std::string Where() const { return "127.0.0.1:" + std::to_string(running_->port()); }

  static testing::TempDir* dir_;
  static CertPair loopback_;
  static CertPair other_host_;
  static std::string openssl_errors_;

  SystemClock clock_;
  HttpPollLoop loop_{clock_};
  std::unique_ptr<httplib::SSLServer> server_;
  std::unique_ptr<ServerThread> running_;  // declared after server_: stops it before it goes
  std::mutex mu_;
  std::string api_key_;
};

testing::TempDir* TlsFetcherTest::dir_ = nullptr;
CertPair TlsFetcherTest::loopback_;
CertPair TlsFetcherTest::other_host_;
std::string TlsFetcherTest::openssl_errors_;

TEST_F(TlsFetcherTest, TrustsServerSignedByCaFileAndSendsApiKey) {
  Serve(loopback_);
  const PollResult result = Fetch({.ca_file = loopback_.cert});
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, "mqtt_publish_error{node=\"n\"} 0\n");
  std::lock_guard lock(mu_);
  EXPECT_EQ(api_key_, kApiKey);
}

TEST_F(TlsFetcherTest, RefusesSelfSignedServerAgainstSystemStore) {
  const ScopedEnv no_cert_file("SSL_CERT_FILE", std::nullopt);
  const ScopedEnv no_cert_dir("SSL_CERT_DIR", std::nullopt);
  Serve(loopback_);
  const PollResult result = Fetch({});
  EXPECT_EQ(result.error, PollError::kTls);
  EXPECT_EQ(result.detail, "certificate of " + Where() +
                               " is not trusted: it is self-signed (checked against the system "
                               "CA store; set tls.ca_file for a private CA)");
  EXPECT_THAT(result.detail, Not(HasSubstr(kApiKey)));
  std::lock_guard lock(mu_);
  EXPECT_EQ(api_key_, "") << "the key went to an unverified server";
}

// Without ca_file the client loads OpenSSL's default store, which SSL_CERT_FILE replaces; on
// Debian that store is /etc/ssl/certs/ca-certificates.crt. Making the test certificate the
// default store shows that the default store is what the fetcher verifies against.
TEST_F(TlsFetcherTest, VerifiesAgainstOpenSslDefaultStoreWithoutCaFile) {
  const ScopedEnv cert_file("SSL_CERT_FILE", loopback_.cert);
  Serve(loopback_);
  const PollResult result = Fetch({});
  EXPECT_TRUE(result.ok()) << result.detail;
}

TEST_F(TlsFetcherTest, RefusesServerNotSignedByCaFile) {
  Serve(loopback_);
  const PollResult result = Fetch({.ca_file = other_host_.cert});
  EXPECT_EQ(result.error, PollError::kTls);
  EXPECT_EQ(result.detail, "certificate of " + Where() +
                               " is not trusted: it is self-signed (checked against tls.ca_file " +
                               other_host_.cert + ")");
}

TEST_F(TlsFetcherTest, RefusesCertificateForAnotherHost) {
  Serve(other_host_);
  const PollResult result = Fetch({.ca_file = other_host_.cert});
  EXPECT_EQ(result.error, PollError::kTls);
  EXPECT_EQ(result.detail, "certificate of " + Where() +
                               " is not valid for \"127.0.0.1\"; the url's host must be one of "
                               "the certificate's subject alternative names");
}

TEST_F(TlsFetcherTest, SkipsVerificationWhenInsecure) {
  Serve(other_host_);
  const PollResult result = Fetch({.ca_file = "", .insecure_skip_verify = true});
  EXPECT_TRUE(result.ok()) << result.detail;
}

TEST_F(TlsFetcherTest, ReportsCaFileGoneAfterStartUpAsTls) {
  Serve(loopback_);
  const std::string gone = dir_->path() + "/removed-ca.pem";
  const PollResult result = Fetch({.ca_file = gone});
  EXPECT_EQ(result.error, PollError::kTls);
  EXPECT_EQ(result.detail, "cannot load the CA certificates of tls.ca_file " + gone +
                               ": No such file or directory");
}

TEST_F(TlsFetcherTest, ReportsCaFileReplacedByFifoAsTlsWithoutBlocking) {
  Serve(loopback_);
  const std::string fifo = dir_->path() + "/fifo-ca.pem";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const PollResult result = Fetch({.ca_file = fifo});
  EXPECT_EQ(result.error, PollError::kTls);
  EXPECT_THAT(result.detail, HasSubstr("it is not a regular file"));
}

TEST(PollError, EveryReasonHasADistinctName) {
  std::set<std::string_view> names;
  for (PollError error : kAllPollErrors) names.insert(ToString(error));
  EXPECT_EQ(names.size(), kAllPollErrors.size());
  EXPECT_FALSE(names.contains("none"));
}

// The fetcher alone against every transport fault: the reason, and never a body.
struct UpstreamCase {
  testing::UpstreamFault fault;
  PollError error;
};

void PrintTo(const UpstreamCase& c, std::ostream* out) { *out << ToString(c.fault); }

class FetcherAgainstHostileUpstream : public ::testing::TestWithParam<UpstreamCase> {
 protected:
  FetcherAgainstHostileUpstream() {
    settings_.timeout = Millis(500);
    settings_.max_body_bytes = 1 << 20;
  }
  PollResult Fetch(const testing::HostileUpstream& upstream, const std::string& scheme = "http") {
    config::Target target = LoopbackTarget(scheme, upstream.port());
    target.tls.insecure_skip_verify = true;
    return FetchOnce(loop_, target, settings_);
  }

  config::PollSettings settings_;
  SystemClock clock_;
  HttpPollLoop loop_{clock_};
};

constexpr char kPage[] = "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 12@CUT@34\n";

TEST_P(FetcherAgainstHostileUpstream, FailsWithReasonWithinDeadline) {
  const bool tls = GetParam().fault == testing::UpstreamFault::kTlsStall;
  testing::HostileUpstream upstream(GetParam().fault, kPage, 0);
  const auto start = std::chrono::steady_clock::now();
  const PollResult result = Fetch(upstream, tls ? "https" : "http");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.error, GetParam().error) << ToString(result.error) << ": " << result.detail;
  EXPECT_TRUE(result.body.empty());
  EXPECT_LT(took, std::chrono::seconds(3));  // 500 ms deadline; generous for a loaded machine
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FetcherAgainstHostileUpstream,
    ::testing::Values(UpstreamCase{testing::UpstreamFault::kHeaderDrip, PollError::kTimeout},
                      UpstreamCase{testing::UpstreamFault::kEndlessHeaders, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kEndlessStatusLine, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kHugeHeaderLine, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kLongStatusLine, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kShortContentLength, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kShortChunked, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kShortClose, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kBodyDrip, PollError::kTimeout},
                      UpstreamCase{testing::UpstreamFault::kSilent, PollError::kTimeout},
                      UpstreamCase{testing::UpstreamFault::kTlsStall, PollError::kTimeout},
                      UpstreamCase{testing::UpstreamFault::kBlackhole, PollError::kTimeout},
                      UpstreamCase{testing::UpstreamFault::kEndlessChunkSize,
                                   PollError::kBodyTooLarge},
                      UpstreamCase{testing::UpstreamFault::kEndlessTrailers, PollError::kRead},
                      UpstreamCase{testing::UpstreamFault::kGzipBomb, PollError::kBodyTooLarge},
                      UpstreamCase{testing::UpstreamFault::kGarbageStatusLine, PollError::kRead}),
    [](const ::testing::TestParamInfo<UpstreamCase>& param) {
      return std::string(ToString(param.param.fault));
    });

TEST(FetcherBodyEnd, TakesCloseDelimitedPageEndingInLineBreak) {
  SystemClock clock;
  HttpPollLoop loop(clock);
  testing::HostileUpstream upstream(testing::UpstreamFault::kWholePageByClose, "a 1\nb 2\n", 0);
  const PollResult result = FetchOnce(loop, LoopbackTarget("http", upstream.port()));
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, "a 1\nb 2\n");
}

TEST(FetcherBodyEnd, RefusesCloseDelimitedPageWithoutFinalLineBreak) {
  SystemClock clock;
  HttpPollLoop loop(clock);
  testing::HostileUpstream upstream(testing::UpstreamFault::kWholePageByClose, "a 1\nb 2", 0);
  const PollResult result = FetchOnce(loop, LoopbackTarget("http", upstream.port()));
  EXPECT_EQ(result.error, PollError::kRead);
  EXPECT_THAT(result.detail, HasSubstr("without a final line break"));
  EXPECT_TRUE(result.body.empty());
}

// VerneMQ 1.x pages end without a line break, but come with Content-Length.
TEST_F(FetcherTest, TakesPageWithoutFinalLineBreakWhenContentLengthSaysItIsComplete) {
  page_ = "mqtt_publish_error{node=\"n\"} 0";
  const PollResult result = Fetch("/metrics");
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, page_);
}

TEST_F(FetcherTest, TakesCompleteChunkedPage) {
  page_ = std::string(50000, '#') + "\n";
  const PollResult result = Fetch("/chunked");
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, page_);
}

// Serves `response` byte for byte to every connection (after reading the request head), then
// closes its side: for exact caps and framing the fixtures' servers cannot produce.
class ScriptedUpstream {
 public:
  explicit ScriptedUpstream(std::string response) : response_(std::move(response)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(listener_, 16), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedUpstream() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }

 private:
  void Serve() {
    while (!stopping_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string head;
      char buffer[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        head.append(buffer, static_cast<size_t>(n));
      }
      size_t at = 0;
      while (at < response_.size()) {
        const ssize_t n = ::send(fd, response_.data() + at, response_.size() - at, MSG_NOSIGNAL);
        if (n <= 0) break;
        at += static_cast<size_t>(n);
      }
      ::shutdown(fd, SHUT_WR);
      pollfd c{fd, POLLIN, 0};  // until the client closes, so it reads everything first
      while (!stopping_ && ::poll(&c, 1, 50) >= 0) {
        if (c.revents != 0 && ::recv(fd, buffer, sizeof(buffer), 0) <= 0) break;
      }
      ::close(fd);
    }
  }

  const std::string response_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A head of exactly `size` bytes (status line, padding header, blank line).
std::string HeadOfSize(size_t size, const std::string& headers) {
  const std::string start = "HTTP/1.1 200 OK\r\n" + headers + "X-Pad: ";
  return start + std::string(size - start.size() - 4, 'p') + "\r\n\r\n";
}

class FetcherLimits : public ::testing::Test {
 protected:
  PollResult Fetch(const std::string& response, config::PollSettings settings = {}) {
    ScriptedUpstream upstream(response);
    return FetchOnce(loop_, LoopbackTarget("http", upstream.port()), settings);
  }
  SystemClock clock_;
  HttpPollLoop loop_{clock_};
};

TEST_F(FetcherLimits, TakesHeadOfExactlyTheCapAndRefusesOneByteMore) {
  const std::string body = "a 1\n";
  const std::string length = "Content-Length: 4\r\n";
  const PollResult exact = Fetch(HeadOfSize(kMaxHeadBytes, length) + body);
  ASSERT_TRUE(exact.ok()) << exact.detail;
  EXPECT_EQ(exact.body, body);
  const PollResult over = Fetch(HeadOfSize(kMaxHeadBytes + 1, length) + body);
  EXPECT_EQ(over.error, PollError::kRead);
  EXPECT_THAT(over.detail, HasSubstr("response head (status line and headers) from 127.0.0.1:"));
  EXPECT_THAT(over.detail, HasSubstr("exceeds 24576 bytes"));
}

TEST_F(FetcherLimits, TakesBodyOfExactlyMaxBodyBytesAndRefusesOneByteMore) {
  config::PollSettings settings;
  settings.max_body_bytes = 1000;
  const std::string page = std::string(999, 'x') + "\n";
  const PollResult exact = Fetch("HTTP/1.0 200 OK\r\n\r\n" + page, settings);
  ASSERT_TRUE(exact.ok()) << exact.detail;
  EXPECT_EQ(exact.body, page);
  const PollResult over = Fetch("HTTP/1.0 200 OK\r\n\r\nx" + page, settings);
  EXPECT_EQ(over.error, PollError::kBodyTooLarge);
  EXPECT_EQ(over.detail, "body exceeds poll.max_body_bytes (1000 bytes)");
  EXPECT_TRUE(over.body.empty());
}

TEST_F(FetcherLimits, RefusesDeclaredContentLengthAboveTheCapBeforeReadingTheBody) {
  config::PollSettings settings;
  settings.max_body_bytes = 1000;
  const PollResult result =
      Fetch("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\nabc", settings);
  EXPECT_EQ(result.error, PollError::kBodyTooLarge);
}

// Chunk extensions make a small body take many bytes on the wire.
TEST_F(FetcherLimits, CapsBytesOnTheWireEvenWhenTheBodyStaysSmall) {
  config::PollSettings settings;
  settings.max_body_bytes = 1000;
  std::string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  while (response.size() < MaxWireBytes(settings) + 4096) {
    response += "1;ext=" + std::string(1000, 'e') + "\r\nx\r\n";
  }
  response += "0\r\n\r\n";
  const PollResult result = Fetch(response, settings);
  EXPECT_EQ(result.error, PollError::kBodyTooLarge) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("exceeds 26576 bytes on the wire"));
}

TEST_F(FetcherLimits, TakesTrailersWithinTheHeadCap) {
  const PollResult result = Fetch(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\na 1\n\r\n0\r\nX-T: 1\r\n\r\n");
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, "a 1\n");
}

TEST_F(FetcherLimits, DecompressesGzipBody) {
  const std::string page = "mqtt_publish_error{node=\"n\"} 0\n" + std::string(5000, '#') + "\n";
  const std::string gzipped = Gzip(page);
  const PollResult result = Fetch("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                                  std::to_string(gzipped.size()) + "\r\n\r\n" + gzipped);
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, page);
}

TEST_F(FetcherLimits, CapsTheInflatedBodyNotTheCompressedOne) {
  config::PollSettings settings;
  settings.max_body_bytes = 10000;
  const std::string gzipped = Gzip(std::string(20000, '\n'));
  ASSERT_LT(gzipped.size(), 1000u);
  const PollResult result =
      Fetch("HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gzipped, settings);
  EXPECT_EQ(result.error, PollError::kBodyTooLarge);
}

TEST_F(FetcherLimits, RefusesGzipStreamCutShort) {
  const std::string gzipped = Gzip(std::string(5000, 'a') + "\n");
  const std::string cut = gzipped.substr(0, gzipped.size() - 8);
  const PollResult result = Fetch("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                                  std::to_string(cut.size()) + "\r\n\r\n" + cut);
  EXPECT_EQ(result.error, PollError::kRead);
  EXPECT_THAT(result.detail, HasSubstr("ends before its stream does"));
}

TEST_F(FetcherLimits, RefusesBodyThatIsNotGzipAsItClaims) {
  const PollResult result =
      Fetch("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\na 1\n");
  EXPECT_EQ(result.error, PollError::kRead);
  EXPECT_THAT(result.detail, HasSubstr("is not valid gzip"));
}

TEST_F(FetcherLimits, RefusesContentEncodingItDidNotAskFor) {
  const PollResult result =
      Fetch("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\na 1\n");
  EXPECT_EQ(result.error, PollError::kRead);
  EXPECT_THAT(result.detail, HasSubstr("Content-Encoding \"br\""));
}

TEST_F(FetcherLimits, ReportsConnectionClosedWithoutAnswerAsRead) {
  const PollResult result = Fetch("");
  EXPECT_EQ(result.error, PollError::kRead);
  EXPECT_THAT(result.detail, HasSubstr("closed before any response"));
}

// The deadline is a timer of its own: it ends a poll whose upstream sends nothing at all at
// the deadline, not at some later read.
TEST(FetcherDeadline, EndsSilentPollAtTheDeadline) {
  SystemClock clock;
  HttpPollLoop loop(clock);
  testing::HostileUpstream upstream(testing::UpstreamFault::kSilent, "a 1\n", 0);
  config::PollSettings settings;
  settings.timeout = Millis(300);
  const auto start = std::chrono::steady_clock::now();
  const PollResult result = FetchOnce(loop, LoopbackTarget("http", upstream.port()), settings);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.error, PollError::kTimeout);
  EXPECT_EQ(result.detail,
            "no complete response from 127.0.0.1:" + std::to_string(upstream.port()) +
                " within poll.timeout (300 ms for connect, TLS, status line, "
                "headers and body together)");
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_GE(result.finished - result.started, std::chrono::milliseconds(290));
}

// Starts one poll with a long deadline; its result arrives through the returned future.
std::future<PollResult> StartHangingPoll(HttpPollLoop& loop, int port,
                                         std::unique_ptr<AsyncFetcher>* fetcher) {
  config::PollSettings settings;
  settings.interval = Millis(60000);
  settings.timeout = Millis(50000);
  *fetcher = loop.MakeFetcher(LoopbackTarget("http", port), settings);
  auto promise = std::make_shared<std::promise<PollResult>>();
  std::future<PollResult> future = promise->get_future();
  (*fetcher)->Start([promise](PollResult result) { promise->set_value(std::move(result)); });
  return future;
}

TEST(FetcherCancel, CancelAllEndsPollsInFlightAtOnceAndLaterOnes) {
  SystemClock clock;
  HttpPollLoop loop(clock);
  testing::HostileUpstream silent(testing::UpstreamFault::kSilent, "a 1\n", 0);
  testing::HostileUpstream blackhole(testing::UpstreamFault::kBlackhole, "a 1\n", 0);
  std::unique_ptr<AsyncFetcher> reading;
  std::unique_ptr<AsyncFetcher> connecting;
  std::future<PollResult> read = StartHangingPoll(loop, silent.port(), &reading);
  std::future<PollResult> connect = StartHangingPoll(loop, blackhole.port(), &connecting);
  for (int i = 0; i < 200 && silent.connections() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(silent.connections(), 1);
  EXPECT_EQ(loop.in_flight(), 2u);
  loop.CancelAll();
  for (std::future<PollResult>* future : {&read, &connect}) {
    ASSERT_EQ(future->wait_for(std::chrono::seconds(2)), std::future_status::ready);
    const PollResult result = future->get();
    EXPECT_EQ(result.error, PollError::kTimeout);
    EXPECT_EQ(result.detail, "poll cancelled: the exporter is shutting down");
  }
  EXPECT_EQ(loop.in_flight(), 0u);

  std::future<PollResult> later = StartHangingPoll(loop, silent.port(), &reading);
  ASSERT_EQ(later.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_EQ(later.get().detail, "poll cancelled: the exporter is shutting down");
  EXPECT_EQ(silent.connections(), 1) << "a poll started after CancelAll connected";
}

TEST(FetcherCancel, DestroyingTheLoopEndsPollsInFlightAndLaterStartsFinishCancelled) {
  SystemClock clock;
  testing::HostileUpstream silent(testing::UpstreamFault::kSilent, "a 1\n", 0);
  std::unique_ptr<AsyncFetcher> fetcher;
  std::future<PollResult> result;
  {
    HttpPollLoop loop(clock);
    result = StartHangingPoll(loop, silent.port(), &fetcher);
    for (int i = 0; i < 200 && silent.connections() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_EQ(result.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_EQ(result.get().error, PollError::kTimeout);
  // The fetcher outlived its loop: a poll it starts ends at once, cancelled.
  std::promise<PollResult> late;
  fetcher->Start([&late](PollResult r) { late.set_value(std::move(r)); });
  EXPECT_EQ(late.get_future().get().detail, "poll cancelled: the exporter is shutting down");
}

TEST(FetcherResolve, PollsTargetNamedByHostName) {
  httplib::Server server;
  server.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("a 1\n", "text/plain");
  });
  ServerThread running(server);
  SystemClock clock;
  HttpPollLoop loop(clock);
  config::Target target = LoopbackTarget("http", running.port());
  target.url.host = "localhost";  // ::1 first on some systems: refused, then 127.0.0.1
  const PollResult result = FetchOnce(loop, target);
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, "a 1\n");
}

TEST(FetcherResolve, ReportsUnresolvableNameAsConnectOrTimeout) {
  SystemClock clock;
  HttpPollLoop loop(clock);
  config::Target target = LoopbackTarget("http", 9);
  target.url.host = "no-such-host.invalid";
  config::PollSettings settings;
  settings.timeout = Millis(2000);
  const PollResult result = FetchOnce(loop, target, settings);
  // NXDOMAIN at once, or no resolver reachable on a loopback-only machine: either way the
  // poll ends by its deadline.
  EXPECT_TRUE(result.error == PollError::kConnect || result.error == PollError::kTimeout)
      << ToString(result.error) << ": " << result.detail;
  EXPECT_LT(result.finished - result.started, std::chrono::seconds(3));
}

TEST(ResolverPool, AnswersEveryRequestOfANameAndForgetsOnRequest) {
  detail::ResolverPool pool(2);
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0;
  bool resolved = false;
  for (int i = 0; i < 3; ++i) {
    pool.Resolve("localhost", [&](const detail::Resolved& r) {
      std::lock_guard lock(mu);
      ++answered;
      resolved = r.error.empty() && !r.addresses.empty();
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return answered == 3; }));
  EXPECT_TRUE(resolved);
  lock.unlock();
  pool.Shutdown();
  EXPECT_EQ(pool.Resolve("localhost", [](const detail::Resolved&) { FAIL(); }), 0u);
}

TEST(TlsLimits, RefusesTlsResponseHeadAboveTheCap) {
  testing::TempDir dir;
  const std::string cert = dir.path() + "/c.crt";
  const std::string key = dir.path() + "/c.key";
  ASSERT_EQ(testing::MakeSelfSignedCertificate(cert, key, "IP:127.0.0.1"), "");
  httplib::SSLServer server(cert.c_str(), key.c_str());
  server.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Big", std::string(30000, 'b'));
    res.set_content("a 1\n", "text/plain");
  });
  ServerThread running(server);
  SystemClock clock;
  HttpPollLoop loop(clock);
  config::Target target = LoopbackTarget("https", running.port());
  target.tls.ca_file = cert;
  const PollResult result = FetchOnce(loop, target);
  EXPECT_EQ(result.error, PollError::kRead) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("exceeds 24576 bytes"));
}

TEST_F(FetcherTest, ReportsPlainHttpServerBehindHttpsUrlAsTls) {
  config::Target target = LoopbackTarget("https", port_);
  target.tls.insecure_skip_verify = true;
  const PollResult result = Fetch(target);
  EXPECT_EQ(result.error, PollError::kTls);
  EXPECT_EQ(result.detail, "TLS handshake with 127.0.0.1:" + std::to_string(port_) +
                               " failed (is it an https listener?)");
}

}  // namespace
}  // namespace vmq::poll
