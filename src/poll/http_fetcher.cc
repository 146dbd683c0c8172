#include "poll/http_fetcher.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cctype>
#include <csignal>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/read_file.h"
#include "poll/resolver_pool.h"

namespace vmq::poll {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr char kAcceptHeader[] = "text/plain;version=0.0.4;q=1,*/*;q=0.1";
constexpr char kCancelled[] = "poll cancelled: the exporter is shutting down";
constexpr size_t kReadChunk = 16 * 1024;

// ---- What a target's polls share: built once per fetcher. ----

struct Plan {
  config::Target target;
  config::PollSettings settings;
  std::string where;    // host:port, for details
  std::string request;  // the whole request head
  std::optional<net::ip::address> literal;
  bool https = false;
  uint64_t max_wire_bytes = 0;
};

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += kAlphabet[(n >> shift) & 63];
    out += '=';
  }
  return out;
}

std::string HostPort(const config::Url& url) { return url.host + ":" + std::to_string(url.port); }

std::string HostHeader(const config::Url& url, bool ipv6) {
  std::string host = ipv6 ? "[" + url.host + "]" : url.host;
  const int default_port = url.scheme == "https" ? 443 : 80;
  if (url.port != default_port) host += ":" + std::to_string(url.port);
  return host;
}

std::string Request(const config::Target& target, bool ipv6) {
  std::string request = "GET " + target.url.path +
                        " HTTP/1.1\r\nHost: " + HostHeader(target.url, ipv6) +
                        "\r\nUser-Agent: vernemq-pubcomp-exporter\r\nAccept: " + kAcceptHeader +
                        "\r\nAccept-Encoding: gzip\r\nConnection: close\r\n";
  // VerneMQ's apikey mode also takes the key as the basic auth user name; the header keeps
  // basic auth free for a proxy in front of the node.
  if (target.api_key) request += "x-api-key: " + *target.api_key + "\r\n";
  if (target.basic_auth) {
    request += "Authorization: Basic " +
               Base64(target.basic_auth->username + ":" + target.basic_auth->password) + "\r\n";
  }
  return request + "\r\n";
}

std::shared_ptr<const Plan> MakePlan(const config::Target& target,
                                     const config::PollSettings& settings) {
  auto plan = std::make_shared<Plan>();
  plan->target = target;
  plan->settings = settings;
  plan->where = HostPort(target.url);
  plan->https = target.url.scheme == "https";
  plan->max_wire_bytes = MaxWireBytes(settings);
  ErrorCode ec;
  const net::ip::address address = net::ip::make_address(target.url.host, ec);
  if (!ec) plan->literal = address;
  plan->request = Request(target, plan->literal && plan->literal->is_v6());
  return plan;
}

// ---- Words for operators. ----

std::string DescribeStatus(int status, const config::Target& target) {
  std::string detail = "HTTP status " + std::to_string(status);
  if (status != 401 && status != 403) return detail;
  const bool has_credentials = target.api_key || target.basic_auth;
  return detail + (has_credentials ? " (the target refused the configured credentials)"
                                   : " (the target wants credentials: set api_key_file)");
}

// The verification failures seen in practice, in words an operator can act on.
std::string UntrustedBecause(long verify_result) {
  switch (verify_result) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "it is self-signed";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "its chain ends in a CA that is not trusted";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      return "its issuer is not a trusted CA";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "it has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "it is not valid yet";
    default:
      return "OpenSSL verify error " + std::to_string(verify_result);
  }
}

std::string TrustSource(const config::TlsSettings& tls) {
  if (tls.ca_file.empty()) return "the system CA store; set tls.ca_file for a private CA";
  return "tls.ca_file " + tls.ca_file;
}

std::string DescribeHandshakeFailure(const Plan& plan, long verify_result) {
  const config::Target& target = plan.target;
  if (target.tls.insecure_skip_verify || verify_result == X509_V_OK) {
    return "TLS handshake with " + plan.where + " failed (is it an https listener?)";
  }
  if (verify_result == X509_V_ERR_HOSTNAME_MISMATCH ||
      verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return "certificate of " + plan.where + " is not valid for \"" + target.url.host +
           "\"; the url's host must be one of the certificate's subject alternative names";
  }
  return "certificate of " + plan.where + " is not trusted: " + UntrustedBecause(verify_result) +
         " (checked against " + TrustSource(target.tls) + ")";
}

std::string TimeoutDetail(const Plan& plan) {
  return "no complete response from " + plan.where + " within poll.timeout (" +
         std::to_string(plan.settings.timeout.count()) +
         " ms for connect, TLS, status line, headers and body together)";
}

// ---- The body as it streams in: decompressed, capped. ----

class BodySink {
 public:
  enum class Failure { kNone, kTooLarge, kBadGzip, kCutGzip, kUnsupportedEncoding };

  BodySink(std::string* out, uint64_t max_bytes) : out_(out), max_bytes_(max_bytes) {}
  ~BodySink() {
    if (inflating_) inflateEnd(&z_);
  }
  BodySink(const BodySink&) = delete;
  BodySink& operator=(const BodySink&) = delete;

  bool Begin(std::string_view encoding, const boost::optional<uint64_t>& length) {
    encoding_ = std::string(encoding);
    std::transform(encoding_.begin(), encoding_.end(), encoding_.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (encoding_ == "gzip" || encoding_ == "x-gzip" || encoding_ == "deflate") {
      // 32: a gzip or a zlib header, whichever comes.
      if (inflateInit2(&z_, MAX_WBITS + 32) != Z_OK) return Fail(Failure::kBadGzip);
      inflating_ = true;
      return true;
    }
    if (!encoding_.empty() && encoding_ != "identity") {
      return Fail(Failure::kUnsupportedEncoding);
    }
    if (length) {
      if (*length > max_bytes_) return Fail(Failure::kTooLarge);
      out_->reserve(static_cast<size_t>(*length));
    }
    return true;
  }

  bool Put(const char* data, size_t size) {
    if (!inflating_) {
      if (out_->size() + size > max_bytes_) return Fail(Failure::kTooLarge);
      out_->append(data, size);
      return true;
    }
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z_.avail_in = static_cast<uInt>(size);
    got_input_ = got_input_ || size > 0;
    std::array<char, 16 * 1024> chunk;
    bool more = z_.avail_in > 0;
    while (more) {
      if (ended_) {  // a further gzip member
        if (inflateReset(&z_) != Z_OK) return Fail(Failure::kBadGzip);
        ended_ = false;
      }
      z_.next_out = reinterpret_cast<Bytef*>(chunk.data());
      z_.avail_out = static_cast<uInt>(chunk.size());
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const size_t produced = chunk.size() - z_.avail_out;
      if (out_->size() + produced > max_bytes_) return Fail(Failure::kTooLarge);
      out_->append(chunk.data(), produced);
      if (rc == Z_STREAM_END) {
        ended_ = true;
        more = z_.avail_in > 0;
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) return Fail(Failure::kBadGzip);
      if (rc == Z_BUF_ERROR && produced == 0) break;
      more = z_.avail_in > 0 || z_.avail_out == 0;
    }
    return true;
  }

  bool End() {
    if (inflating_ && got_input_ && !ended_) return Fail(Failure::kCutGzip);
    return true;
  }

  Failure failure() const { return failure_; }
  const std::string& encoding() const { return encoding_; }

 private:
  bool Fail(Failure failure) {
    failure_ = failure;
    return false;
  }

  std::string* out_;
  uint64_t max_bytes_;
  std::string encoding_;
  z_stream z_{};
  bool inflating_ = false;
  bool got_input_ = false;
  bool ended_ = false;
  Failure failure_ = Failure::kNone;
};

// A Beast body type whose reader hands every byte to a BodySink; a sink failure stops the
// parser with error::body_limit, and the sink says which failure it was.
struct SinkBody {
  using value_type = BodySink*;

  // Beast constructs the reader with the parser, before the head: it keeps references and
  // looks at both when the body begins.
  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>& head, value_type& sink)
        : sink_(sink), encoding_([&head] { return head[http::field::content_encoding]; }) {}

    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      ec = {};
      const beast::string_view encoding = encoding_();
      if (!sink_->Begin(std::string_view(encoding.data(), encoding.size()), length)) {
        ec = http::error::body_limit;
      }
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      ec = {};
      size_t used = 0;
      for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers);
           ++it) {
        const net::const_buffer buffer = *it;
        if (!sink_->Put(static_cast<const char*>(buffer.data()), buffer.size())) {
          ec = http::error::body_limit;
          return used;
        }
        used += buffer.size();
      }
      return used;
    }

    void finish(beast::error_code& ec) {
      ec = {};
      if (!sink_->End()) ec = http::error::body_limit;
    }

   private:
    value_type& sink_;
    std::function<beast::string_view()> encoding_;
  };
};

// Beast keeps back bytes it cannot parse yet: once the head is done, that is a chunk-size
// line without its end, or the trailer section after the last chunk. This tells the second:
// the first line (after the previous chunk's CRLF) is complete.
bool WaitingForTrailers(std::string_view pending) {
  if (pending.substr(0, 2) == "\r\n") pending.remove_prefix(2);
  return pending.find("\r\n") != std::string_view::npos;
}

class Poll;

}  // namespace

// ---- The loop. ----

struct detail::HttpLoopCore {
  HttpLoopCore(const Clock& time_source, const HttpPollLoopOptions& options)
      : clock(time_source), resolver(options.resolver_threads) {}

  // The TLS context for these settings, built and cached on first use; nullptr and `error`
  // when the CA certificates cannot be loaded (tried again at the next poll).
  std::shared_ptr<ssl::context> TlsContext(const config::TlsSettings& tls, std::string* error);

  const Clock& clock;
  detail::ResolverPool resolver;
  mutable std::mutex mu;  // guards the members below
  bool cancelled = false;
  bool stopped = false;  // the io threads are gone: Start finishes at once
  uint64_t next_id = 1;
  std::map<uint64_t, std::weak_ptr<Poll>> in_flight;
  std::map<std::string, std::shared_ptr<ssl::context>> tls_contexts;
  std::vector<std::thread> threads;
  // Last: destroyed first, with any handler still referring to the members above.
  net::io_context io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
};

std::shared_ptr<ssl::context> detail::HttpLoopCore::TlsContext(const config::TlsSettings& tls,
                                                               std::string* error) {
  const std::string key = tls.ca_file + (tls.insecure_skip_verify ? "\n1" : "\n0");
  {
    std::lock_guard lock(mu);
    auto it = tls_contexts.find(key);
    if (it != tls_contexts.end()) return it->second;
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_compression);
  context->set_verify_mode(tls.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
  ErrorCode ec;
  if (tls.ca_file.empty()) {
    // OpenSSL's default store: on Debian /usr/lib/ssl/cert.pem ->
    // /etc/ssl/certs/ca-certificates.crt, or the file named by SSL_CERT_FILE when set.
    context->set_default_verify_paths(ec);
    if (ec) {
      *error = "cannot load the CA certificates of " + TrustSource(tls);
      return nullptr;
    }
  } else {
    // Read here, capped and without blocking on a FIFO or device put in the file's place,
    // rather than by OpenSSL from the path.
    const FileContent file = ReadFileCapped(tls.ca_file, config::TlsSettings::kMaxCaFileBytes);
    if (!file.ok()) {
      *error = "cannot load the CA certificates of tls.ca_file " + tls.ca_file + ": " + file.error;
      return nullptr;
    }
    context->add_certificate_authority(net::buffer(file.content), ec);
    if (ec) {
      *error = "cannot load the CA certificates of tls.ca_file " + tls.ca_file +
               ": it holds no PEM certificate OpenSSL accepts";
      return nullptr;
    }
  }
  std::lock_guard lock(mu);
  return tls_contexts.emplace(key, std::move(context)).first->second;
}

namespace {

// One poll: resolve, connect, handshake, request, response. Every handler runs on the poll's
// strand and holds the poll alive; End() finishes it once, from whichever step or the
// deadline, the cancel or an error comes first.
class Poll final : public std::enable_shared_from_this<Poll> {
 public:
  using Core = detail::HttpLoopCore;

  Poll(Core& core, std::shared_ptr<const Plan> plan, uint64_t id)
      : core_(core),
        plan_(std::move(plan)),
        id_(id),
        strand_(net::make_strand(core.io)),
        timer_(strand_),
        plain_(strand_),
        sink_(&result_.body, plan_->settings.max_body_bytes) {
    parser_.header_limit(static_cast<std::uint32_t>(kMaxHeadBytes));
    // The sink caps the decompressed body. Not boost::none: Beast 1.74 compares a
    // Content-Length with an empty optional as greater and refuses every such body.
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser_.eager(false);  // one step a put(), so the head is judged on its own
    parser_.get().body() = &sink_;
  }

  void set_done(AsyncFetcher::Done done) { done_ = std::move(done); }
  net::strand<net::io_context::executor_type>& strand() { return strand_; }

  void Begin() {
    Guarded([&] {
      result_.started = core_.clock.Now();
      timer_.expires_after(plan_->settings.timeout);
      timer_.async_wait([self = shared_from_this()](const ErrorCode& ec) {
        if (!ec) self->End(PollError::kTimeout, TimeoutDetail(*self->plan_));
      });
      if (plan_->https && !SetUpTls()) return;
      if (plan_->literal) {
        Connect({tcp::endpoint(*plan_->literal, static_cast<uint16_t>(plan_->target.url.port))});
      } else {
        Resolve();
      }
    });
  }

  // Finishes the poll with `error` (kNone: success); later calls do nothing.
  void End(PollError error, std::string detail) {
    if (finished_) return;
    finished_ = true;
    result_.error = error;
    result_.detail = std::move(detail);
    result_.finished = core_.clock.Now();
    if (result_.started == MonoTime{}) result_.started = result_.finished;
    if (!result_.ok()) std::string().swap(result_.body);
    ErrorCode ignored;
    timer_.cancel();
    Socket().close(ignored);
    if (resolve_ticket_ != 0) core_.resolver.Forget(resolve_ticket_);
    {
      std::lock_guard lock(core_.mu);
      core_.in_flight.erase(id_);
    }
    AsyncFetcher::Done done = std::move(done_);
    try {
      if (done) done(std::move(result_));
    } catch (...) {  // `done` must not throw; if it does, it is not the io thread's problem
    }
  }

 private:
  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : plain_; }

  // Runs one step; an exception (out of memory, a resource limit) ends the poll instead of
  // escaping into the io thread, which would leave the poll without its `done`.
  template <class Step>
  void Guarded(Step&& step) {
    try {
      step();
    } catch (const std::exception& error) {
      End(PollError::kRead, std::string("poll failed inside the exporter: ") + error.what());
    }
  }

  bool SetUpTls() {
    std::string error;
    tls_context_ = core_.TlsContext(plan_->target.tls, &error);
    if (!tls_context_) {
      End(PollError::kTls, error);
      return false;
    }
    tls_.emplace(strand_, *tls_context_);
    SSL* ssl = tls_->native_handle();
    const std::string& host = plan_->target.url.host;
    // SNI carries host names only (RFC 6066).
    if (!plan_->literal) SSL_set_tlsext_host_name(ssl, host.c_str());
    if (!plan_->target.tls.insecure_skip_verify) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int ok = plan_->literal ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                    : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
      if (ok != 1) {
        End(PollError::kTls,
            "cannot check the certificate of " + plan_->where + " against host \"" + host + "\"");
        return false;
      }
    }
    // Plain sockets above are replaced by the TLS stream's own.
    return true;
  }

  void Resolve() {
    std::weak_ptr<Poll> weak = weak_from_this();
    resolve_ticket_ = core_.resolver.Resolve(
        plan_->target.url.host, [weak, strand = strand_](const detail::Resolved& resolved) {
          net::post(strand, [weak, resolved] {
            if (auto self = weak.lock()) self->OnResolved(resolved);
          });
        });
    if (resolve_ticket_ == 0) End(PollError::kTimeout, kCancelled);
  }

  void OnResolved(const detail::Resolved& resolved) {
    if (finished_) return;
    resolve_ticket_ = 0;
    Guarded([&] {
      if (!resolved.error.empty()) {
        return End(PollError::kConnect, "cannot connect to " + plan_->where +
                                            ": host name not resolved (" + resolved.error + ")");
      }
      std::vector<tcp::endpoint> endpoints;
      for (const sockaddr_storage& address : resolved.addresses) {
        tcp::endpoint endpoint;
        const size_t size =
            address.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
        std::memcpy(endpoint.data(), &address, size);
        endpoint.resize(size);
        endpoint.port(static_cast<uint16_t>(plan_->target.url.port));
        endpoints.push_back(endpoint);
      }
      Connect(std::move(endpoints));
    });
  }

  void Connect(std::vector<tcp::endpoint> endpoints) {
    net::async_connect(
        Socket(), endpoints,
        [self = shared_from_this()](const ErrorCode& ec, const tcp::endpoint&) {
          if (self->finished_) return;
          if (ec) {
            return self->End(PollError::kConnect,
                             "cannot connect to " + self->plan_->where + " (" + ec.message() + ")");
          }
          self->Guarded([&] { self->OnConnected(); });
        });
  }

  void OnConnected() {
    ErrorCode ignored;
    Socket().set_option(tcp::no_delay(true), ignored);
    if (!tls_) return SendRequest();
    tls_->async_handshake(
        ssl::stream_base::client, [self = shared_from_this()](const ErrorCode& ec) {
          if (self->finished_) return;
          if (ec) {
            const long verify = SSL_get_verify_result(self->tls_->native_handle());
            return self->End(PollError::kTls, DescribeHandshakeFailure(*self->plan_, verify));
          }
          self->Guarded([&] { self->SendRequest(); });
        });
  }

  void SendRequest() {
    auto sent = [self = shared_from_this()](const ErrorCode& ec, size_t) {
      if (self->finished_) return;
      if (ec) {
        return self->End(PollError::kRead, "sending the request to " + self->plan_->where +
                                               " failed (" + ec.message() + ")");
      }
      self->Guarded([&] { self->ReadMore(); });
    };
    if (tls_) {
      net::async_write(*tls_, net::buffer(plan_->request), std::move(sent));
    } else {
      net::async_write(plain_, net::buffer(plan_->request), std::move(sent));
    }
  }

  void ReadMore() {
    // One byte past the cap, to see it passed.
    const uint64_t allowed = plan_->max_wire_bytes + 1 - received_;
    const auto space =
        buffer_.prepare(static_cast<size_t>(std::min<uint64_t>(kReadChunk, allowed)));
    auto got = [self = shared_from_this()](const ErrorCode& ec, size_t size) {
      if (self->finished_) return;
      self->Guarded([&] { self->OnRead(ec, size); });
    };
    if (tls_) {
      tls_->async_read_some(space, std::move(got));
    } else {
      plain_.async_read_some(space, std::move(got));
    }
  }

  void OnRead(const ErrorCode& ec, size_t size) {
    buffer_.commit(size);
    received_ += size;
    if (received_ > plan_->max_wire_bytes) {
      return End(PollError::kBodyTooLarge,
                 "response from " + plan_->where + " exceeds " +
                     std::to_string(plan_->max_wire_bytes) +
                     " bytes on the wire (twice poll.max_body_bytes plus the head)");
    }
    if (!Parse()) return;
    if (!ec) return ReadMore();
    if (ec == net::error::eof || ec == ssl::error::stream_truncated) return OnClose();
    End(PollError::kRead,
        "reading the response from " + plan_->where + " failed (" + ec.message() + ")");
  }

  // Feeds what arrived to the parser; false once the poll finished.
  bool Parse() {
    while (!finished_) {
      if (parser_.is_done()) return Complete();
      if (buffer_.size() == 0) return true;
      beast::error_code ec;
      const size_t used = parser_.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (!head_done_) head_bytes_ += used;
      if (ec == http::error::need_more) return CheckPending();
      if (ec) return Failed(ec);
      if (!head_done_ && parser_.is_header_done()) {
        head_done_ = true;
        if (head_bytes_ > kMaxHeadBytes) return Failed(http::error::header_limit);
        result_.http_status = static_cast<int>(parser_.get().result_int());
        if (result_.http_status != 200) {
          End(PollError::kHttpStatus, DescribeStatus(result_.http_status, plan_->target));
          return false;
        }
      }
      if (used == 0 && !parser_.is_done()) return true;
    }
    return false;
  }

  bool CheckPending() {
    // Beast's own header_limit counts the status line and the fields apart.
    if (!head_done_ && head_bytes_ + buffer_.size() > kMaxHeadBytes) {
      return Failed(http::error::header_limit);
    }
    if (head_done_ && parser_.chunked() && buffer_.size() > kMaxHeadBytes &&
        WaitingForTrailers({static_cast<const char*>(buffer_.data().data()), buffer_.size()})) {
      End(PollError::kRead, "trailers of the chunked body from " + plan_->where + " exceed " +
                                std::to_string(kMaxHeadBytes) + " bytes");
      return false;
    }
    return true;
  }

  bool Failed(const beast::error_code& ec) {
    if (ec == http::error::header_limit) {
      End(PollError::kRead, "response head (status line and headers) from " + plan_->where +
                                " exceeds " + std::to_string(kMaxHeadBytes) + " bytes");
      return false;
    }
    switch (sink_.failure()) {
      case BodySink::Failure::kTooLarge:
        End(PollError::kBodyTooLarge, "body exceeds poll.max_body_bytes (" +
                                          std::to_string(plan_->settings.max_body_bytes) +
                                          " bytes)");
        return false;
      case BodySink::Failure::kBadGzip:
        End(PollError::kRead, "body from " + plan_->where + " is not valid gzip");
        return false;
      case BodySink::Failure::kCutGzip:
        End(PollError::kRead, "gzip body from " + plan_->where + " ends before its stream does");
        return false;
      case BodySink::Failure::kUnsupportedEncoding:
        End(PollError::kRead, "body from " + plan_->where + " has Content-Encoding \"" +
                                  sink_.encoding() + "\"; only gzip was asked for");
        return false;
      case BodySink::Failure::kNone:
        break;
    }
    End(PollError::kRead,
        "reading the response from " + plan_->where + " failed (" + ec.message() + ")");
    return false;
  }

  // The upstream closed its side.
  void OnClose() {
    if (!parser_.got_some()) {
      return End(PollError::kRead, "reading the response from " + plan_->where +
                                       " failed: the connection closed before any response");
    }
    beast::error_code ec;
    parser_.put_eof(ec);
    if (ec == http::error::partial_message) {
      const char* what = !head_done_         ? "the response head was complete"
                         : parser_.chunked() ? "the last chunk"
                                             : "the Content-Length of the body";
      return End(PollError::kRead, "response from " + plan_->where +
                                       " cut short: the connection closed before " + what);
    }
    if (ec) {
      Failed(ec);
      return;
    }
    Complete();
  }

  bool Complete() {
    // Without Content-Length or chunking only the close ends the body, and a connection that
    // drops mid-page looks the same: a complete text-format page ends with a line break.
    const bool ends_by_close = !parser_.chunked() && !parser_.content_length();
    const std::string& body = result_.body;
    if (ends_by_close && (body.empty() || body.back() != '\n')) {
      End(PollError::kRead, "body from " + plan_->where +
                                " ended by connection close without a final line break: cut short");
    } else {
      End(PollError::kNone, "");
    }
    return false;
  }

  Core& core_;
  const std::shared_ptr<const Plan> plan_;
  const uint64_t id_;
  AsyncFetcher::Done done_;
  net::strand<net::io_context::executor_type> strand_;
  net::steady_timer timer_;
  tcp::socket plain_;
  std::shared_ptr<ssl::context> tls_context_;  // before tls_: outlives it
  std::optional<ssl::stream<tcp::socket>> tls_;
  uint64_t resolve_ticket_ = 0;
  PollResult result_;  // before sink_, which writes into its body
  BodySink sink_;
  http::response_parser<SinkBody> parser_;
  beast::flat_buffer buffer_;
  uint64_t received_ = 0;
  uint64_t head_bytes_ = 0;  // parsed before the head was complete
  bool head_done_ = false;
  bool finished_ = false;
};

PollResult CancelledNow(const Clock& clock) {
  PollResult result;
  result.error = PollError::kTimeout;
  result.detail = kCancelled;
  result.started = result.finished = clock.Now();
  return result;
}

class HttpFetcher final : public AsyncFetcher {
 public:
  HttpFetcher(std::shared_ptr<detail::HttpLoopCore> core, std::shared_ptr<const Plan> plan)
      : core_(std::move(core)), plan_(std::move(plan)) {}

  void Start(Done done) override {
    try {
      std::unique_lock lock(core_->mu);
      if (core_->stopped) {
        lock.unlock();
        return done(CancelledNow(core_->clock));
      }
      const uint64_t id = core_->next_id++;
      auto poll = std::make_shared<Poll>(*core_, plan_, id);
      poll->set_done(std::move(done));
      core_->in_flight.emplace(id, poll);
      const bool cancelled = core_->cancelled;
      net::post(poll->strand(), [poll, cancelled] {
        if (cancelled) {
          poll->End(PollError::kTimeout, kCancelled);
        } else {
          poll->Begin();
        }
      });
    } catch (const std::exception& error) {
      if (!done) return;  // handed to the poll, which ends it
      PollResult result = CancelledNow(core_->clock);
      result.error = PollError::kRead;
      result.detail = std::string("poll failed inside the exporter: ") + error.what();
      done(std::move(result));
    }
  }

 private:
  std::shared_ptr<detail::HttpLoopCore> core_;
  std::shared_ptr<const Plan> plan_;
};

}  // namespace

uint64_t MaxWireBytes(const config::PollSettings& settings) {
  return kMaxHeadBytes + 2 * static_cast<uint64_t>(settings.max_body_bytes);
}

HttpPollLoop::HttpPollLoop(const Clock& clock, HttpPollLoopOptions options)
    : core_(std::make_shared<detail::HttpLoopCore>(clock, options)) {
  // Asio sends with MSG_NOSIGNAL; this keeps any other write to a closed peer (OpenSSL's,
  // should it write itself) from ending the process.
  std::signal(SIGPIPE, SIG_IGN);
  core_->work.emplace(core_->io.get_executor());
  for (size_t i = 0; i < std::max<size_t>(1, options.io_threads); ++i) {
    core_->threads.emplace_back([core = core_.get()] { core->io.run(); });
  }
}

HttpPollLoop::~HttpPollLoop() {
  CancelAll();
  core_->resolver.Shutdown();
  {
    std::lock_guard lock(core_->mu);
    core_->stopped = true;
  }
  core_->work.reset();  // run() returns once the cancelled polls have ended
  for (std::thread& thread : core_->threads) thread.join();
  core_->threads.clear();
}

std::unique_ptr<AsyncFetcher> HttpPollLoop::MakeFetcher(const config::Target& target,
                                                        const config::PollSettings& settings) {
  return std::make_unique<HttpFetcher>(core_, MakePlan(target, settings));
}

void HttpPollLoop::CancelAll() {
  std::vector<std::shared_ptr<Poll>> polls;
  {
    std::lock_guard lock(core_->mu);
    core_->cancelled = true;
    for (const auto& [id, weak] : core_->in_flight) {
      if (auto poll = weak.lock()) polls.push_back(std::move(poll));
    }
  }
  for (auto& poll : polls) {
    net::post(poll->strand(), [poll] { poll->End(PollError::kTimeout, kCancelled); });
  }
}

size_t HttpPollLoop::in_flight() const {
  std::lock_guard lock(core_->mu);
  return core_->in_flight.size();
}

}  // namespace vmq::poll
