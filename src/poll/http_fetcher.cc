#include "poll/http_fetcher.h"

#include <httplib.h>

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

std::string Describe(PollError reason, httplib::Error error, const config::Url& url) {
  const std::string where = url.host + ":" + std::to_string(url.port);
  switch (reason) {
    case PollError::kConnect:
      return "cannot connect to " + where + " (refused, unreachable or unknown host)";
    case PollError::kTimeout:
      return "connecting to " + where + " timed out";
    case PollError::kTls:
      return "TLS with " + where + " failed: " + httplib::to_string(error);
    default:
      return "reading the response from " + where + " failed: " + httplib::to_string(error);
  }
}

}  // namespace

struct HttpFetcher::Impl {
  Impl(const config::Url& target_url, const config::PollSettings& poll_settings,
       const Clock& time_source)
      : url(target_url),
        settings(poll_settings),
        clock(time_source),
        client(SchemeHostPort(target_url)) {
    client.set_connection_timeout(settings.timeout);
    client.set_read_timeout(settings.timeout);
    client.set_write_timeout(settings.timeout);
    client.set_keep_alive(true);
    client.set_decompress(true);
  }

  config::Url url;
  config::PollSettings settings;
  const Clock& clock;
  httplib::Client client;
};

HttpFetcher::HttpFetcher(const config::Url& url, const config::PollSettings& settings,
                         const Clock& clock)
    : impl_(std::make_unique<Impl>(url, settings, clock)) {}

HttpFetcher::~HttpFetcher() = default;

PollResult HttpFetcher::Fetch() {
  PollResult result;
  result.started = impl_->clock.Now();
  const MonoTime deadline = result.started + impl_->settings.timeout;
  bool too_large = false;
  bool past_deadline = false;

  const httplib::Headers headers = {{"Accept", kAcceptHeader}, {"Accept-Encoding", "gzip"}};
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

  httplib::Result response = impl_->client.Get(impl_->url.path, headers, on_response, receive);
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
    result.detail = "HTTP status " + std::to_string(result.http_status);
  } else if (!response) {
    result.error = Classify(response.error());
    result.detail = Describe(result.error, response.error(), impl_->url);
    if (result.error == PollError::kRead && result.finished - result.started >= impl_->settings.timeout) {
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
