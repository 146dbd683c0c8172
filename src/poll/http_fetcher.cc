#include "poll/http_fetcher.h"

#include <httplib.h>
#include <openssl/x509_vfy.h>

#include <string>
#include <utility>

namespace vmq::poll {
namespace {

constexpr char kAcceptHeader[] = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

std::string SchemeHostPort(const config::Url& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + url.host + "]" : url.host;
  return url.scheme + "://" + host + ":" + std::to_string(url.port);
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
void ConfigureTls(const config::TlsSettings& tls, httplib::Client* client) {
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

}  // namespace

struct HttpFetcher::Impl {
  Impl(const config::Target& polled_target, const config::PollSettings& poll_settings,
       const Clock& time_source)
      : target(polled_target),
        settings(poll_settings),
        clock(time_source),
        headers(RequestHeaders(polled_target)),
        client(SchemeHostPort(polled_target.url)) {
    client.set_connection_timeout(settings.timeout);
    client.set_read_timeout(settings.timeout);
    client.set_write_timeout(settings.timeout);
    client.set_keep_alive(true);
    client.set_decompress(true);
    if (target.basic_auth) {
      client.set_basic_auth(target.basic_auth->username, target.basic_auth->password);
    }
    if (target.url.scheme == "https") ConfigureTls(target.tls, &client);
  }

  config::Target target;
  config::PollSettings settings;
  const Clock& clock;
  httplib::Headers headers;
  httplib::Client client;
};

HttpFetcher::HttpFetcher(const config::Target& target, const config::PollSettings& settings,
                         const Clock& clock)
    : impl_(std::make_unique<Impl>(target, settings, clock)) {}

HttpFetcher::~HttpFetcher() = default;

PollResult HttpFetcher::Fetch() {
  PollResult result;
  result.started = impl_->clock.Now();
  const MonoTime deadline = result.started + impl_->settings.timeout;
  bool too_large = false;
  bool past_deadline = false;

  // Checked per chunk: read timeouts only bound each read, a server dripping bytes slowly
  // would otherwise hold the poll forever.
  auto receive = [&](const char* data, size_t length) {
    if (result.body.size() + length > impl_->settings.max_body_bytes) {
      too_large = true;
      return false;
    }
    if (impl_->clock.Now() > deadline) {
      past_deadline = true;
      return false;
    }
    result.body.append(data, length);
    return true;
  };
  auto on_response = [&](const httplib::Response& response) {
    result.http_status = response.status;
    return response.status == 200;
  };

  httplib::Result response =
      impl_->client.Get(impl_->target.url.path, impl_->headers, on_response, receive);
  result.finished = impl_->clock.Now();

  if (too_large) {
    result.error = PollError::kBodyTooLarge;
    result.detail = "body exceeds poll.max_body_bytes (" +
                    std::to_string(impl_->settings.max_body_bytes) + " bytes)";
  } else if (past_deadline) {
    result.error = PollError::kTimeout;
    result.detail = "page not complete within poll.timeout";
  } else if (result.http_status != 0 && result.http_status != 200) {
    result.error = PollError::kHttpStatus;
    result.detail = DescribeStatus(result.http_status, impl_->target);
  } else if (!response) {
    result.error = Classify(response.error());
    result.detail = Describe(result.error, response.error(),
                             impl_->client.get_openssl_verify_result(), impl_->target);
    if (result.error == PollError::kRead &&
        result.finished - result.started >= impl_->settings.timeout) {
      result.error = PollError::kTimeout;
      result.detail = "read timed out after poll.timeout";
    }
  }
  if (!result.ok()) {
    result.body.clear();
    impl_->client.stop();  // never reuse a connection in an unknown state
  }
  return result;
}

}  // namespace vmq::poll
