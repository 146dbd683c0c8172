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

#include "common/certificate.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/process.h"
#include "common/server_thread.h"
#include "faults/upstream/hostile_upstream.h"

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
    HttpFetcher fetcher(target, settings, clock_, guard_);
    return fetcher.Fetch();
  }

  SystemClock clock_;
  SocketGuard guard_{clock_};
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
    HttpFetcher fetcher(target, config::PollSettings{}, clock_, guard_);
    return fetcher.Fetch();
  }

  std::string Where() const { return "127.0.0.1:" + std::to_string(running_->port()); }

  static testing::TempDir* dir_;
  static CertPair loopback_;
  static CertPair other_host_;
  static std::string openssl_errors_;

  SystemClock clock_;
  SocketGuard guard_{clock_};
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
    HttpFetcher fetcher(target, settings_, clock_, guard_);
    return fetcher.Fetch();
  }

  config::PollSettings settings_;
  SystemClock clock_;
  SocketGuard guard_{clock_};
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
  SocketGuard guard(clock);
  testing::HostileUpstream upstream(testing::UpstreamFault::kWholePageByClose, "a 1\nb 2\n", 0);
  HttpFetcher fetcher(LoopbackTarget("http", upstream.port()), {}, clock, guard);
  const PollResult result = fetcher.Fetch();
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.body, "a 1\nb 2\n");
}

TEST(FetcherBodyEnd, RefusesCloseDelimitedPageWithoutFinalLineBreak) {
  SystemClock clock;
  SocketGuard guard(clock);
  testing::HostileUpstream upstream(testing::UpstreamFault::kWholePageByClose, "a 1\nb 2", 0);
  HttpFetcher fetcher(LoopbackTarget("http", upstream.port()), {}, clock, guard);
  const PollResult result = fetcher.Fetch();
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

}  // namespace
}  // namespace vmq::poll
