// The one translation unit that includes Boost.Beast and Asio (they compile slowly).

#include "expose/http_server.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/config.h"
#include "expose/http_content.h"

namespace vmq::expose {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kTextContentType[] = "text/plain; charset=utf-8";
constexpr char kHealthyPath[] = "/-/healthy";
constexpr char kReloadPath[] = "/-/reload";
// File descriptors kept for everything but client connections (targets, logs, config files).
constexpr int kReservedFds = 64;
// After the last answer on a connection the client may still be sending (the rest of a
// refused request, pipelined requests): that is read and dropped for a while so that the
// client sees the answer rather than a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;
constexpr auto kLogEvery = std::chrono::seconds(10);

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

enum class Refusal {
  kTooManyConnections,
  kRequestTimeout,
  kHeaderTooLarge,
  kBodyTooLarge,
  kBadRequest,
  kTlsHandshake,
  kUnauthorized,
  kAuthBusy,
};
constexpr std::array<const char*, 8> kRefusalNames = {
    "too_many_connections", "request_timeout", "header_too_large", "body_too_large",
    "bad_request",          "tls_handshake",   "unauthorized",     "auth_busy"};

// Counts refusals for vmq_http_refused_total and logs them at most once per kLogEvery per
// reason, so that a flood cannot flood the log too.
class Refusals {
 public:
  explicit Refusals(Logger& logger) : logger_(logger) {}

  void Count(Refusal reason) {
    const size_t i = static_cast<size_t>(reason);
    const uint64_t total = ++counts_[i];
    const Clock::time_point now = Clock::now();
    const std::lock_guard<std::mutex> lock(mu_);
    if (logged_[i] != 0 && now - last_logged_[i] < kLogEvery) return;
    logger_.Warn("refused HTTP clients", {{"reason", kRefusalNames[i]},
                                          {"since_last_log", std::to_string(total - logged_[i])},
                                          {"total", std::to_string(total)}});
    last_logged_[i] = now;
    logged_[i] = total;
  }

  std::string Render(int open_connections) const {
    std::string out =
        "# HELP vmq_http_refused_total Connections and requests the exporter's HTTP server "
        "refused, by reason.\n# TYPE vmq_http_refused_total counter\n";
    for (size_t i = 0; i < kRefusalNames.size(); ++i) {
      out += std::string("vmq_http_refused_total{reason=\"") + kRefusalNames[i] + "\"} " +
             std::to_string(counts_[i].load()) + "\n";
    }
    out +=
        "# HELP vmq_http_open_connections Connections open to the exporter's HTTP server.\n"
        "# TYPE vmq_http_open_connections gauge\nvmq_http_open_connections " +
        std::to_string(open_connections) + "\n";
    return out;
  }

 private:
  Logger& logger_;
  std::array<std::atomic<uint64_t>, kRefusalNames.size()> counts_{};
  std::mutex mu_;
  std::array<Clock::time_point, kRefusalNames.size()> last_logged_{};
  std::array<uint64_t, kRefusalNames.size()> logged_{};
};

using Body = std::shared_ptr<const std::string>;

// The telemetry page of the latest snapshot plus the server's own counters, and its gzip,
// built once and shared by every scrape until either changes: a thousand concurrent
// scrapers cost one copy of the page and one compression. The counters are read again at
// most once per second, so that connections coming and going do not force a compression per
// scrape.
class PageCache {
 public:
  template <class RenderOwn>
  Body Get(const std::shared_ptr<const Snapshot>& snapshot, const RenderOwn& render_own,
           bool gzip) {
    const std::lock_guard<std::mutex> lock(mu_);
    const Clock::time_point now = Clock::now();
    if (snapshot->includes_server_metrics) {
      // Assembled with the server's families already (page_assembler.h): served as it is,
      // without a second copy of a page that is megabytes at a thousand targets.
      if (snapshot != snapshot_) {
        snapshot_ = snapshot;
        plain_ = Body(snapshot, &snapshot->metrics_text);
        gzip_.reset();
      }
    } else if (snapshot != snapshot_ || now - own_rendered_at_ >= std::chrono::seconds(1)) {
      std::string own = render_own();
      own_rendered_at_ = now;
      if (snapshot != snapshot_ || own != own_metrics_) {
        snapshot_ = snapshot;
        own_metrics_ = std::move(own);
        plain_ = std::make_shared<const std::string>(snapshot->metrics_text + own_metrics_);
        gzip_.reset();
      }
    }
    if (!gzip) return plain_;
    if (!gzip_) gzip_ = std::make_shared<const std::string>(detail::Gzip(*plain_));
    return gzip_;
  }

 private:
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  Clock::time_point own_rendered_at_;
  std::string own_metrics_;
  Body plain_;
  Body gzip_;
};

// The TLS context for a server certificate and key; throws when they cannot be used together.
std::shared_ptr<ssl::context> MakeTlsContext(const TlsServerConfig& config) {
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_server);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  tls->use_certificate_chain_file(config.cert_file);
  tls->use_private_key_file(config.key_file, ssl::context::pem);
  if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
    throw std::runtime_error("the private key does not match the certificate");
  }
  return tls;
}

// What a file was when it was read: a change of any of these means it was written or replaced
// (editors and config-map updates replace the file, so the inode changes too).
struct FileStamp {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp StampOf(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return {};
  return {true, info.st_dev, info.st_ino, info.st_size,
          static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

// The web configuration in force: what requests and handshakes are checked against.
struct WebState {
  bool ok = true;  // false: the file is unreadable or invalid; every request fails closed
  std::shared_ptr<ssl::context> tls;  // null: plain HTTP
  bool auth = false;                  // basic-auth users are configured
};

// --web.config.file read again whenever it, its certificate or its key file changes, as
// exporter-toolkit reads it for every request and handshake. A stat of each file per request
// tells a change (bench/README.md has the cost); the file is parsed only then. Whether the
// server speaks TLS is fixed at start: a file that switches TLS on or off is refused (fail
// closed) until it is put back or the exporter restarted.
class WebWatcher {
  static constexpr auto kSettleTime = std::chrono::seconds(2);

 public:
  WebWatcher(std::string path, Logger& logger) : path_(std::move(path)), logger_(logger) {}

  // The state at start, from the file main loaded; `checker` gets the users.
  void Init(const WebConfig& web, std::shared_ptr<ssl::context> tls, BasicAuthChecker* checker) {
    checker_ = checker;
    tls_at_start_ = web.tls.has_value();
    auto state = std::make_shared<WebState>();
    state->tls = std::move(tls);
    state->auth = !web.basic_auth_users.empty();
    current_ = std::move(state);
    if (path_.empty()) return;
    stamps_ = Stamps(web);
    files_ = Files(web);
  }

  std::shared_ptr<const WebState> Current() {
    const std::lock_guard<std::mutex> lock(mu_);
    if (path_.empty()) return current_;
    std::vector<FileStamp> stamps;
    stamps.reserve(files_.size());
    for (const std::string& file : files_) stamps.push_back(StampOf(file));
    // A file written twice within the file system's timestamp granularity (a few ms) keeps
    // its stamp: for a while after a change the file is read at every request.
    if (stamps == stamps_ && std::chrono::steady_clock::now() >= settled_) return current_;
    Reload();
    return current_;
  }

 private:
  std::vector<std::string> Files(const WebConfig& web) const {
    std::vector<std::string> files = {path_};
    if (web.tls) {
      files.push_back(web.tls->cert_file);
      files.push_back(web.tls->key_file);
    }
    return files;
  }
  std::vector<FileStamp> Stamps(const WebConfig& web) const {
    std::vector<FileStamp> stamps;
    for (const std::string& file : Files(web)) stamps.push_back(StampOf(file));
    return stamps;
  }

  // Called with mu_ held.
  void Reload() {
    // Stamps first: a file written while it is read is read again at the next request.
    const std::vector<FileStamp> before = [&] {
      std::vector<FileStamp> stamps;
      for (const std::string& file : files_) stamps.push_back(StampOf(file));
      return stamps;
    }();
    auto state = std::make_shared<WebState>();
    const bool was_ok = current_->ok;
    const bool changed = before != stamps_;
    if (changed) settled_ = std::chrono::steady_clock::now() + kSettleTime;
    try {
      const WebConfig web = LoadWebConfigFile(path_);
      if (web.tls.has_value() != tls_at_start_) {
        throw std::runtime_error(std::string("tls_server_config was ") +
                                 (tls_at_start_ ? "removed" : "added") +
                                 "; the server speaks TLS or not from its start: restart it");
      }
      if (web.tls) state->tls = MakeTlsContext(*web.tls);
      state->auth = !web.basic_auth_users.empty();
      if (checker_ != nullptr) checker_->SetUsers(web.basic_auth_users);
      const std::vector<std::string> files = Files(web);
      stamps_ = files == files_ ? before : Stamps(web);
      files_ = files;
      if (changed || !was_ok) {
        logger_.Info("web config file reloaded", {{"file", path_},
                                                  {"tls", state->tls ? "true" : "false"},
                                                  {"basic_auth", state->auth ? "true" : "false"}});
      }
    } catch (const std::exception& error) {
      state = std::make_shared<WebState>();
      state->ok = false;
      stamps_ = before;
      if (changed || was_ok) {  // logged once per change, not per request
        logger_.Error(
            "web config file unreadable or invalid; refusing every request but "
            "/-/healthy until it is fixed",
            {{"file", path_}, {"err", error.what()}});
      }
    }
    current_ = std::move(state);
  }

  const std::string path_;
  Logger& logger_;
  BasicAuthChecker* checker_ = nullptr;
  bool tls_at_start_ = false;
  std::mutex mu_;                   // guards everything below
  std::vector<std::string> files_;  // the web config file, then its cert and key files
  std::vector<FileStamp> stamps_;   // as they were when last read
  std::shared_ptr<const WebState> current_;
  std::chrono::steady_clock::time_point settled_{};  // read at every request until then
};

// What every connection shares. Outlives the io_context (declared before it).
struct Shared {
  Shared(ServerOptions server_options, const SnapshotSource& snapshot_store, Logger& log)
      : options(std::move(server_options)),
        store(snapshot_store),
        logger(log),
        refusals(log),
        web(options.web_config_file, log) {}

  ServerOptions options;
  const SnapshotSource& store;
  Logger& logger;
  Refusals refusals;
  PageCache page;
  // Null when there is neither a basic-auth user nor a web config file that could add one.
  std::unique_ptr<BasicAuthChecker> auth;
  WebWatcher web;
  std::atomic<int> open_connections{0};
  int max_connections = 0;  // options.max_connections clamped to the file limit
};

struct Answer {
  http::status status = http::status::ok;
  const char* content_type = kTextContentType;
  Body body;
  bool gzip = false;
  bool close = false;               // an error after which the connection cannot be trusted
  bool vary = false;                // content negotiated on Accept-Encoding
  const char* allow = "GET, HEAD";  // the Allow header of a 405
};

Answer Text(http::status status, std::string text, bool close = false) {
  return {status, kTextContentType, std::make_shared<const std::string>(std::move(text)), false,
          close};
}

Answer ErrorAnswer(http::status status, bool close = false) {
  return Text(status, "HTTP " + std::to_string(static_cast<int>(status)) + "\n", close);
}

// As Prometheus answers /-/reload: 405 but to POST and PUT, 403 without the lifecycle API,
// 500 with the reason when the configuration is not applied, else 200.
Answer Reload(Shared& shared, const http::request<http::string_body>& request) {
  if (request.method() != http::verb::post && request.method() != http::verb::put) {
    Answer answer = Text(http::status::method_not_allowed, "Only POST or PUT requests allowed\n");
    answer.allow = "POST, PUT";
    return answer;
  }
  if (!shared.options.reload)
    return Text(http::status::forbidden, "Lifecycle API is not enabled.\n");
  const std::string error = shared.options.reload();
  if (!error.empty()) {
    return Text(http::status::internal_server_error, "failed to reload config: " + error + "\n");
  }
  return Text(http::status::ok, "");
}

Answer Route(Shared& shared, const http::request<http::string_body>& request,
             const std::string& path) {
  const ServerOptions& options = shared.options;
  if (path == kReloadPath) return Reload(shared, request);
  const bool known =
      path == options.telemetry_path || path == kHealthyPath || path == "/-/ready" || path == "/";
  if (!known) return ErrorAnswer(http::status::not_found);
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return ErrorAnswer(http::status::method_not_allowed);
  }
  if (path == kHealthyPath) return Text(http::status::ok, "Healthy.\n");
  const std::shared_ptr<const Snapshot> snapshot = shared.store.Current();
  if (path == options.telemetry_path) {
    const bool gzip = detail::AcceptsGzip(View(request[http::field::accept_encoding]));
    return {http::status::ok,
            kMetricsContentType,
            shared.page.Get(
                snapshot,
                [&shared] { return shared.refusals.Render(shared.open_connections.load()); }, gzip),
            gzip,
            false,
            true};
  }
  if (path == "/-/ready") {
    return snapshot->ready ? Text(http::status::ok, "Ready.\n")
                           : Text(http::status::service_unavailable,
                                  "Not ready: waiting for the first poll of every target.\n");
  }
  return {http::status::ok, "text/html; charset=utf-8",
          std::make_shared<const std::string>(
              RenderLandingPage(*snapshot, options.telemetry_path, VMQ_VERSION)),
          false, false};
}

// One connection, plain or TLS. Holds no thread: every step is an asynchronous operation on
// the connection's strand with a deadline, and the session lives as long as one is pending.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  // `keep`: what the stream needs alive (the TLS context it was made with).
  Session(Stream stream, Shared& shared, std::shared_ptr<const void> keep = nullptr)
      : keep_(std::move(keep)),
        stream_(std::move(stream)),
        shared_(shared),
        // Room for the largest request allowed and one read beyond it, never more.
        buffer_(shared.options.max_header_bytes + shared.options.max_body_bytes + 4096) {}
  ~Session() { --shared_.open_connections; }

  void Start() {
    if constexpr (kTls) {
      Tcp().expires_after(shared_.options.tls_handshake_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  self->shared_.refusals.Count(Refusal::kTlsHandshake);
                                  return;
                                }
                                self->ReadRequest();
                              });
    } else {
      ReadRequest();
    }
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // Between keep-alive requests: the idle timeout until a first byte, then ReadRequest.
  void WaitForRequest() {
    if (buffer_.size() > 0) return ReadRequest();  // pipelined
    Tcp().expires_after(std::chrono::seconds(shared_.options.keep_alive_seconds));
    stream_.async_read_some(buffer_.prepare(1024),
                            [self = this->shared_from_this()](beast::error_code ec, size_t bytes) {
                              if (ec)
                                return;  // idle timeout or the client closed: nothing to answer
                              self->buffer_.commit(bytes);
                              self->ReadRequest();
                            });
  }

  // Headers and body must arrive within request_timeout, in at most the buffer's size.
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.max_header_bytes));
    parser_->body_limit(shared_.options.max_body_bytes);
    Tcp().expires_after(shared_.options.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    // The client closed, between requests or in the middle of one: nobody to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return;
    if (ec == beast::error::timeout) return shared_.refusals.Count(Refusal::kRequestTimeout);
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return Refuse(Refusal::kHeaderTooLarge, http::status::request_header_fields_too_large);
    }
    if (ec == http::error::body_limit) {
      return Refuse(Refusal::kBodyTooLarge, http::status::payload_too_large);
    }
    if (ec.category() == beast::http::make_error_code(http::error::bad_target).category()) {
      return Refuse(Refusal::kBadRequest, http::status::bad_request);
    }
    if (ec) return;  // reset, TLS failure: nobody to answer
    request_ = parser_->release();
    parser_.reset();
    ++served_;
    const std::optional<std::string> path = detail::RequestPath(View(request_.target()));
    if (!path) return Refuse(Refusal::kBadRequest, http::status::bad_request);
    const std::shared_ptr<const WebState> web = shared_.web.Current();
    if (*path == kHealthyPath) return Write(Route(shared_, request_, *path));
    // As exporter-toolkit: a web config that cannot be read fails closed.
    if (!web->ok)
      return Write(Text(http::status::internal_server_error, "Internal Server Error\n"));
    if (!web->auth || !shared_.auth) return Write(Route(shared_, request_, *path));
    shared_.auth->Check(
        View(request_[http::field::authorization]),
        [self = this->shared_from_this(), path = *path](AuthResult result) {
          net::post(self->stream_.get_executor(),
                    [self, path, result] { self->OnAuthorized(result, path); });
        },
        /*suspect=*/auth_failures_ > 0);
  }

  void OnAuthorized(AuthResult result, const std::string& path) {
    if (result == AuthResult::kAllowed) return Write(Route(shared_, request_, path));
    if (result == AuthResult::kBusy) {
      shared_.refusals.Count(Refusal::kAuthBusy);
      Answer answer = Text(http::status::service_unavailable,
                           "Too many authentication checks in progress; retry.\n");
      extra_header_ = {http::field::retry_after, "1"};
      return Write(std::move(answer));
    }
    shared_.refusals.Count(Refusal::kUnauthorized);
    ++auth_failures_;
    if (result == AuthResult::kDeniedUnderLoad) {
      // A timer on the connection's strand: the session holds no thread while it waits.
      delay_.emplace(stream_.get_executor());
      delay_->expires_after(shared_.options.auth.failure_delay_under_load);
      delay_->async_wait([self = this->shared_from_this()](beast::error_code) {
        self->delay_.reset();
        self->Unauthorized();
      });
      return;
    }
    Unauthorized();
  }

  void Unauthorized() {
    extra_header_ = {http::field::www_authenticate, "Basic realm=\"vernemq-pubcomp-exporter\""};
    Write(Text(http::status::unauthorized, "Unauthorized\n"));
  }

  void Refuse(Refusal reason, http::status status) {
    shared_.refusals.Count(reason);
    request_ = {};
    request_.version(11);
    Write(ErrorAnswer(status, true));
  }

  void Write(Answer answer) {
    body_ = std::move(answer.body);
    const bool keep_alive =
        !answer.close && request_.keep_alive() && served_ < shared_.options.keep_alive_max_requests;
    response_ = {};
    response_.result(answer.status);
    response_.version(request_.version());
    response_.set(http::field::content_type, answer.content_type);
    if (answer.gzip) response_.set(http::field::content_encoding, "gzip");
    if (answer.vary) response_.set(http::field::vary, "Accept-Encoding");
    if (extra_header_) response_.set(extra_header_->first, extra_header_->second);
    extra_header_.reset();
    if (answer.status == http::status::method_not_allowed) {
      response_.set(http::field::allow, answer.allow);
    }
    response_.keep_alive(keep_alive);
    if (keep_alive) {
      response_.set(http::field::keep_alive,
                    "timeout=" + std::to_string(shared_.options.keep_alive_seconds));
    }
    if (request_.method() == http::verb::head) {
      response_.content_length(body_->size());
    } else {
      response_.body() = {body_->data(), body_->size()};
      response_.prepare_payload();
    }
    Tcp().expires_after(shared_.options.write_timeout);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->body_.reset();
                        if (ec) return;
                        if (keep_alive) return self->WaitForRequest();
                        self->Close();
                      });
  }

  // Closing while the client's bytes are unread would reset the connection and could destroy
  // the answer before the client reads it: the server says it is done, then reads and drops
  // what still comes until the client closes, kLingerBytes or kLingerTime.
  void Close() {
    Tcp().expires_after(kLingerTime);
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = this->shared_from_this()](beast::error_code ec, size_t bytes) {
                              self->drained_ += bytes;
                              if (!ec && self->drained_ < kLingerBytes) self->Drain();
                            });
  }

  std::shared_ptr<const void> keep_;  // destroyed after stream_
  Stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  http::response<http::span_body<const char>> response_;
  Body body_;  // what response_ points into, until it is written
  std::optional<std::pair<http::field, std::string>> extra_header_;
  int served_ = 0;
  std::optional<net::steady_timer> delay_;  // a kDeniedUnderLoad answer waits on it
  int auth_failures_ = 0;                   // on this connection; its later checks are suspect
  size_t drained_ = 0;
};

// Raises the soft open-file limit to the hard one; returns the soft limit now in force.
int RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  constexpr rlim_t kMax = 1 << 30;
  return static_cast<int>(std::min(limit.rlim_cur, kMax));
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions options, const SnapshotSource& store, Logger& logger)
      : shared(std::move(options), store, logger),
        io(std::in_place, std::max(shared.options.threads, 1)),
        acceptor(std::in_place, *io),
        accept_retry(std::in_place, *io) {}

  bool SetUpTls();
  bool Listen();
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void RunIo();

  Shared shared;
  std::shared_ptr<ssl::context> tls;  // at start; null: plain HTTP
  // Reset by Stop (acceptor and timer first): destroying the io_context destroys the pending
  // handlers, which own the sessions, which closes every connection.
  std::optional<net::io_context> io;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::vector<std::thread> threads;
  int port = 0;
};

bool HttpServer::Impl::SetUpTls() {
  const std::optional<TlsServerConfig>& config = shared.options.web.tls;
  if (!config) return true;
  try {
    tls = MakeTlsContext(*config);
    return true;
  } catch (const std::exception& error) {
    shared.logger.Error("cannot use the TLS certificate and key", {{"cert_file", config->cert_file},
                                                                   {"key_file", config->key_file},
                                                                   {"error", error.what()}});
    return false;
  }
}

bool HttpServer::Impl::Listen() {
  const ServerOptions& options = shared.options;
  beast::error_code ec;
  tcp::resolver resolver(*io);
  const auto endpoints =
      resolver.resolve(options.host, std::to_string(options.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (!ec && !endpoints.empty()) {
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(std::max(options.listen_backlog, 128), ec);
  } else if (!ec) {
    ec = net::error::host_not_found;
  }
  if (ec) {
    shared.logger.Error(
        "cannot listen",
        {{"address", options.host + ":" + std::to_string(options.port)}, {"error", ec.message()}});
    return false;
  }
  port = acceptor->local_endpoint().port();
  return true;
}

void HttpServer::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*io), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors or memory: wait rather than spin on the same error.
    shared.refusals.Count(Refusal::kTooManyConnections);
    accept_retry->expires_after(std::chrono::milliseconds(50));
    accept_retry->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  if (shared.open_connections.load() >= shared.max_connections) {
    shared.refusals.Count(Refusal::kTooManyConnections);
    // Reset rather than close: no TIME_WAIT state kept for a connection never served.
    socket.set_option(net::socket_base::linger(true, 0), ec);
    socket.close(ec);
    return Accept();
  }
  socket.set_option(tcp::no_delay(true), ec);
  ++shared.open_connections;
  if (tls) {
    // The certificate and key in force now (the web config file may have rotated them).
    const std::shared_ptr<const WebState> web = shared.web.Current();
    if (!web->ok || !web->tls) {
      shared.refusals.Count(Refusal::kTlsHandshake);
      --shared.open_connections;
      socket.set_option(net::socket_base::linger(true, 0), ec);
      socket.close(ec);
      return Accept();
    }
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *web->tls),
        shared, web->tls)
        ->Start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), shared)
        ->Start();
  }
  Accept();
}

void HttpServer::Impl::RunIo() {
  for (;;) {
    try {
      io->run();
      return;
    } catch (const std::exception& error) {
      // A handler threw (bad_alloc, zlib): that connection is gone, the server goes on.
      shared.logger.Error("HTTP handler failed", {{"error", error.what()}});
    }
  }
}

HttpServer::HttpServer(ServerOptions options, const SnapshotSource& store, Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), store, logger)) {}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Start() {
  Shared& shared = impl_->shared;
  if (!impl_->SetUpTls() || !impl_->Listen()) return false;
  const int file_limit = RaiseFileLimit();
  shared.max_connections =
      std::max(1, std::min(shared.options.max_connections, file_limit - kReservedFds));
  if (shared.max_connections < shared.options.max_connections) {
    shared.logger.Warn("open-file limit lowers the connection limit",
                       {{"max_connections", std::to_string(shared.max_connections)},
                        {"nofile", std::to_string(file_limit)}});
  }
  // With a web config file users may appear later (rotation): the checker is there anyway.
  if (!shared.options.web.basic_auth_users.empty() || !shared.options.web_config_file.empty()) {
    shared.auth = std::make_unique<BasicAuthChecker>(shared.options.web.basic_auth_users,
                                                     shared.options.auth);
  }
  shared.web.Init(shared.options.web, impl_->tls, shared.auth.get());
  impl_->Accept();
  for (int i = 0; i < std::max(shared.options.threads, 1); ++i) {
    impl_->threads.emplace_back([this] { impl_->RunIo(); });
  }
  shared.logger.Info(
      "listening", {{"address", shared.options.host + ":" + std::to_string(impl_->port)},
                    {"tls", shared.options.web.tls ? "true" : "false"},
                    {"basic_auth", shared.options.web.basic_auth_users.empty() ? "false" : "true"},
                    {"max_connections", std::to_string(shared.max_connections)}});
  return true;
}

int HttpServer::bound_port() const { return impl_->port; }

std::string HttpServer::OwnMetricsText() const {
  return impl_->shared.refusals.Render(impl_->shared.open_connections.load());
}

void HttpServer::Stop() {
  if (!impl_->io) return;
  impl_->io->stop();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  // Workers post their answers to `io`: joined first. Queued checks are dropped.
  impl_->shared.auth.reset();
  impl_->accept_retry.reset();
  impl_->acceptor.reset();
  impl_->io.reset();
}

}  // namespace vmq::expose
