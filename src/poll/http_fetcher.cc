#include "poll/http_fetcher.h"

#include <httplib.h>
#include <openssl/x509_vfy.h>
#include <strings.h>

#include <cstdint>
#include <string>
#include <utility>

#include "common/read_file.h"

namespace vmq::poll {
namespace {

constexpr char kAcceptHeader[] = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

// cpp-httplib's connect step, extended: once connected, the socket's bytes go through the
// guard's relay (socket_guard.h). SSLClient's own step is only is_valid() plus ClientImpl's.
template <typename Base>
class GuardedClient final : public Base {
 public:
  GuardedClient(const config::Url& url, SocketGuard::Watch* const* watch)
      : Base(url.host, url.port), watch_(watch) {}

 private:
  bool create_and_connect_socket(httplib::ClientImpl::Socket& socket,
                                 httplib::Error& error) override {
    if (!this->is_valid() || !this->httplib::ClientImpl::create_and_connect_socket(socket, error)) {
      return false;
    }
    // Without the relay (out of descriptors) the socket is still cut at the deadline.
    if (*watch_ != nullptr) (*watch_)->Relay(socket.sock);
    return true;
  }

  SocketGuard::Watch* const* watch_;
};

std::unique_ptr<httplib::ClientImpl> MakeClient(const config::Url& url,
                                                SocketGuard::Watch* const* watch,
                                                httplib::SSLClient** ssl) {
  if (url.scheme != "https") {
    return std::make_unique<GuardedClient<httplib::ClientImpl>>(url, watch);
  }
  auto client = std::make_unique<GuardedClient<httplib::SSLClient>>(url, watch);
  *ssl = client.get();
  return client;
}

std::string HostPort(const config::Url& url) { return url.host + ":" + std::to_string(url.port); }

httplib::Headers RequestHeaders(const config::Target& target) {
  httplib::Headers headers = {{"Accept", kAcceptHeader}, {"Accept-Encoding", "gzip"}};
  // VerneMQ's apikey mode also takes the key as the basic auth user name; the header keeps
  // basic auth free for a proxy in front of the node.
  if (target.api_key) headers.emplace("x-api-key", *target.api_key);
  return headers;
}

// Without a CA file cpp-httplib 0.11 calls SSL_CTX_set_default_verify_paths: OpenSSL's default
// store, on Debian /usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt, or the file
// named by SSL_CERT_FILE when that is set.
void ConfigureTls(const config::TlsSettings& tls, httplib::ClientImpl* client) {
  if (!tls.ca_file.empty()) client->set_ca_cert_path(tls.ca_file);
  client->enable_server_certificate_verification(!tls.insecure_skip_verify);
}

PollError Classify(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::BindIPAddress:
      return PollError::kConnect;
    case httplib::Error::ConnectionTimeout:
      return PollError::kTimeout;
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
      return PollError::kTls;
    default:
      return PollError::kRead;
  }
}

// The verification failures seen in practice, in words an operator can act on. OpenSSL's own
// strings (X509_verify_cert_error_string) would need a direct link against libcrypto.
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

std::string DescribeTls(httplib::Error error, long verify_result, const config::Target& target) {
  const std::string where = HostPort(target.url);
  switch (error) {
    case httplib::Error::SSLLoadingCerts:
      return "cannot load the CA certificates of " + TrustSource(target.tls);
    case httplib::Error::SSLServerVerification:
      if (verify_result != X509_V_OK) {
        return "certificate of " + where + " is not trusted: " + UntrustedBecause(verify_result) +
               " (checked against " + TrustSource(target.tls) + ")";
      }
      return "certificate of " + where + " is not valid for \"" + target.url.host +
             "\"; the url's host must be one of the certificate's subject alternative names";
    default:
      return "TLS handshake with " + where + " failed (is it an https listener?)";
  }
}

std::string Describe(PollError reason, httplib::Error error, long verify_result,
                     const config::Target& target) {
  const std::string where = HostPort(target.url);
  switch (reason) {
    case PollError::kConnect:
      return "cannot connect to " + where + " (refused, unreachable or unknown host)";
    case PollError::kTimeout:
      return "connecting to " + where + " timed out";
    case PollError::kTls:
      return DescribeTls(error, verify_result, target);
    default:
      return "reading the response from " + where + " failed: " + httplib::to_string(error);
  }
}

std::string DescribeStatus(int status, const config::Target& target) {
  std::string detail = "HTTP status " + std::to_string(status);
  if (status != 401 && status != 403) return detail;
  const bool has_credentials = target.api_key || target.basic_auth;
  return detail + (has_credentials ? " (the target refused the configured credentials)"
                                   : " (the target wants credentials: set api_key_file)");
}

// cpp-httplib's own rule for where a body ends: chunked, else Content-Length, else the close.
bool EndsByClose(const httplib::Response& response) {
  const std::string encoding = response.get_header_value("Transfer-Encoding");
  return strcasecmp(encoding.c_str(), "chunked") != 0 && !response.has_header("Content-Length");
}

// Room on the wire for chunk framing and a gzip stream of an incompressible page; a chunk-size
// line or a trailer that never ends is cut here.
uint64_t MaxWireBytes(const config::PollSettings& settings) {
  return HttpFetcher::kMaxHeadBytes + 2 * static_cast<uint64_t>(settings.max_body_bytes);
}

GuardLimits LimitsFor(MonoTime deadline, const config::Target& target,
                      const config::PollSettings& settings) {
  return {.deadline = deadline,
          .max_head_bytes = HttpFetcher::kMaxHeadBytes,
          .max_total_bytes = MaxWireBytes(settings),
          .plaintext_head = target.url.scheme != "https"};
}

void SetTripError(GuardTrip trip, const config::Target& target,
                  const config::PollSettings& settings, PollResult* result) {
  const std::string from = " from " + HostPort(target.url);
  switch (trip) {
    case GuardTrip::kDeadline:
      result->error = PollError::kTimeout;
      result->detail = "no complete response" + from + " within poll.timeout (" +
                       std::to_string(settings.timeout.count()) +
                       " ms for connect, TLS, status line, headers and body together)";
      return;
    case GuardTrip::kHeadTooLarge:
      result->error = PollError::kRead;
      result->detail = "response head (status line and headers)" + from + " exceeds " +
                       std::to_string(HttpFetcher::kMaxHeadBytes) + " bytes";
      return;
    case GuardTrip::kTooManyBytes:
      result->error = PollError::kBodyTooLarge;
      result->detail = "response" + from + " exceeds " + std::to_string(MaxWireBytes(settings)) +
                       " bytes on the wire (twice poll.max_body_bytes plus the head)";
      return;
    case GuardTrip::kCancelled:
      result->error = PollError::kTimeout;
      result->detail = "poll cancelled: the exporter is shutting down";
      return;
    case GuardTrip::kNone:
      return;
  }
}

}  // namespace

struct HttpFetcher::Impl {
  Impl(const config::Target& polled_target, const config::PollSettings& poll_settings,
       const Clock& time_source, SocketGuard& socket_guard)
      : target(polled_target),
        settings(poll_settings),
        clock(time_source),
        guard(socket_guard),
        headers(RequestHeaders(polled_target)),
        client(MakeClient(polled_target.url, &watch, &ssl)) {
    // The guard enforces poll.timeout; the client's own timeouts only back it up, later, so
    // that the reason a poll fails does not depend on which of the two fires first.
    const auto backup = settings.timeout + std::chrono::seconds(1);
    client->set_connection_timeout(backup);
    client->set_read_timeout(backup);
    client->set_write_timeout(backup);
    // One connection per poll: the guard counts each response's bytes from its first.
    client->set_keep_alive(false);
    client->set_decompress(true);
    if (target.basic_auth) {
      client->set_basic_auth(target.basic_auth->username, target.basic_auth->password);
    }
    if (ssl != nullptr) ConfigureTls(target.tls, client.get());
    // Called for every socket the client creates, before it connects (one per address tried).
    client->set_socket_options([this](int socket) {
      if (watch != nullptr) watch->AddSocket(socket);
    });
  }

  // What one poll ran into, for Judge.
  struct Observed {
    GuardTrip trip = GuardTrip::kNone;
    httplib::Error error = httplib::Error::Success;
    bool too_large = false;      // the body passed poll.max_body_bytes
    bool past_deadline = false;  // a body chunk arrived after the deadline
    bool ends_by_close = false;  // neither Content-Length nor chunked
  };

  PollResult Fetch();
  void Judge(const Observed& seen, PollResult* result) const;

  // cpp-httplib (OpenSSL) reads the CA file at the first TLS handshake, with no size limit,
  // and a FIFO put in its place would block that poll for good; so until a poll got an answer
  // (the file was loaded then) it is checked before each poll.
  bool CaFileReadable(PollResult* result) {
    if (ssl == nullptr || target.tls.ca_file.empty() || ca_file_loaded) return true;
    const FileContent file =
        ReadFileCapped(target.tls.ca_file, config::TlsSettings::kMaxCaFileBytes);
    if (file.ok()) return true;
    result->error = PollError::kTls;
    result->detail =
        "cannot load the CA certificates of tls.ca_file " + target.tls.ca_file + ": " + file.error;
    return false;
  }

  config::Target target;
  config::PollSettings settings;
  const Clock& clock;
  SocketGuard& guard;
  httplib::Headers headers;
  SocketGuard::Watch* watch = nullptr;  // the current poll's, while a request is in flight
  httplib::SSLClient* ssl = nullptr;    // `client` when https
  bool ca_file_loaded = false;
  std::unique_ptr<httplib::ClientImpl> client;
};

HttpFetcher::HttpFetcher(const config::Target& target, const config::PollSettings& settings,
                         const Clock& clock, SocketGuard& guard)
    : impl_(std::make_unique<Impl>(target, settings, clock, guard)) {}

HttpFetcher::~HttpFetcher() = default;

PollResult HttpFetcher::Impl::Fetch() {
  PollResult result;
  result.started = clock.Now();
  const MonoTime deadline = result.started + settings.timeout;
  if (!CaFileReadable(&result)) {
    result.finished = clock.Now();
    return result;
  }
  SocketGuard::Watch poll_watch = guard.Begin(LimitsFor(deadline, target, settings));
  watch = &poll_watch;

  Observed seen;
  // The guard cuts a poll past its deadline; this check also ends one whose body streams in
  // steadily, without waiting for the guard's next tick.
  auto receive = [&](const char* data, size_t length) {
    if (result.body.size() + length > settings.max_body_bytes) {
      seen.too_large = true;
      return false;
    }
    if (clock.Now() > deadline) {
      seen.past_deadline = true;
      return false;
    }
    result.body.append(data, length);
    return true;
  };
  auto on_response = [&](const httplib::Response& response) {
    poll_watch.HeadReceived();
    result.http_status = response.status;
    seen.ends_by_close = EndsByClose(response);
    return response.status == 200;
  };

  const httplib::Result response = client->Get(target.url.path, headers, on_response, receive);
  watch = nullptr;
  seen.trip = poll_watch.Finish();
  seen.error = response.error();
  result.finished = clock.Now();
  if (result.http_status != 0) ca_file_loaded = true;
  Judge(seen, &result);
  if (!result.ok()) result.body.clear();
  return result;
}

// The first that applies: what the guard cut, the receiver's caps, the HTTP status, the
// client's error, a close-delimited body that was cut.
void HttpFetcher::Impl::Judge(const Observed& seen, PollResult* result) const {
  if (seen.trip != GuardTrip::kNone) {
    SetTripError(seen.trip, target, settings, result);
  } else if (seen.too_large) {
    result->error = PollError::kBodyTooLarge;
    result->detail =
        "body exceeds poll.max_body_bytes (" + std::to_string(settings.max_body_bytes) + " bytes)";
  } else if (seen.past_deadline) {
    result->error = PollError::kTimeout;
    result->detail = "page not complete within poll.timeout";
  } else if (result->http_status != 0 && result->http_status != 200) {
    result->error = PollError::kHttpStatus;
    result->detail = DescribeStatus(result->http_status, target);
  } else if (seen.error != httplib::Error::Success) {
    result->error = Classify(seen.error);
    result->detail = Describe(result->error, seen.error,
                              ssl != nullptr ? ssl->get_openssl_verify_result() : 0, target);
    if (result->error == PollError::kRead &&
        result->finished - result->started >= settings.timeout) {
      result->error = PollError::kTimeout;
      result->detail = "read timed out after poll.timeout";
    }
  } else if (seen.ends_by_close && (result->body.empty() || result->body.back() != '\n')) {
    // Without Content-Length or chunking only the close ends the body, and a connection that
    // drops mid-page looks the same: a complete text-format page ends with a line break.
    result->error = PollError::kRead;
    result->detail = "body from " + HostPort(target.url) +
                     " ended by connection close without a final line break: cut short";
  }
}

PollResult HttpFetcher::Fetch() { return impl_->Fetch(); }

}  // namespace vmq::poll
