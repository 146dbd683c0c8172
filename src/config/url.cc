#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace vmq::config {
namespace {

constexpr std::string_view kDefaultPath = "/metrics";

bool Fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

bool ParsePort(std::string_view text, int* port, std::string* error) {
  if (text.empty()) return Fail(error, "the port after ':' is empty; remove the ':' or add a port");
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Fail(error, "port \"" + std::string(text) + "\" is not a number");
  }
  const int value = text.size() > 5 ? 0 : std::stoi(std::string(text));
  if (value < 1 || value > 65535) {
    return Fail(error, "port " + std::string(text) + " is out of range (1-65535)");
  }
  *port = value;
  return true;
}

bool ParseBracketedHost(std::string_view authority, Url* out,
                        std::optional<std::string_view>* port_text, std::string* error) {
  const size_t close = authority.find(']');
  if (close == std::string_view::npos) {
    return Fail(error, "the IPv6 address has no closing ']'");
  }
  const std::string_view host = authority.substr(1, close - 1);
  if (host.find(':') == std::string_view::npos ||
      !std::all_of(host.begin(), host.end(), IsIpv6Char)) {
    return Fail(error, "\"[" + std::string(host) + "]\" is not an IPv6 address");
  }
  out->host = std::string(host);
  const std::string_view after = authority.substr(close + 1);
  if (!after.empty() && after[0] != ':') {
    return Fail(error, "unexpected \"" + std::string(after) +
                           "\" after the IPv6 address; expected ':' and a port");
  }
  if (!after.empty()) *port_text = after.substr(1);
  return true;
}

bool ParseNamedHost(std::string_view authority, Url* out,
                    std::optional<std::string_view>* port_text, std::string* error) {
  if (std::count(authority.begin(), authority.end(), ':') > 1) {
    return Fail(error,
                "an IPv6 address must be written in brackets, e.g. http://[::1]:8888/metrics");
  }
  const size_t colon = authority.find(':');
  const std::string_view host = authority.substr(0, colon);
  if (host.empty()) return Fail(error, "it has no host");
  const auto bad = std::find_if_not(host.begin(), host.end(), IsHostNameChar);
  if (bad != host.end()) {
    return Fail(error, "the host \"" + std::string(host) + "\" contains '" + std::string(1, *bad) +
                           "', which a host name cannot contain");
  }
  out->host = std::string(host);
  if (colon != std::string_view::npos) *port_text = authority.substr(colon + 1);
  return true;
}

// host, [v6], host:port or [v6]:port; a missing port means the scheme's default.
bool ParseAuthority(std::string_view authority, Url* out, std::string* error) {
  if (authority.empty()) return Fail(error, "it has no host");
  if (authority.find('@') != std::string_view::npos) {
    return Fail(error, "user information (user@host) is not supported");
  }
  std::optional<std::string_view> port_text;
  const bool ok = authority[0] == '[' ? ParseBracketedHost(authority, out, &port_text, error)
                                      : ParseNamedHost(authority, out, &port_text, error);
  if (!ok) return false;
  if (!port_text) {
    out->port = out->scheme == "https" ? 443 : 80;
    return true;
  }
  return ParsePort(*port_text, &out->port, error);
}

}  // namespace

bool ParseUrl(std::string_view text, Url* out, std::string* error) {
  if (text.empty()) return Fail(error, "it is empty");
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) {
    return Fail(error, "it contains a space or control character; percent-encode it as %20");
  }
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return Fail(error, "it has no scheme; write it like http://HOST:PORT/metrics");
  }
  Url url;
  url.text = std::string(text);
  url.scheme = Lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    return Fail(error, "scheme \"" + std::string(text.substr(0, scheme_end)) +
                           "\" is not supported; use http or https");
  }
  const std::string_view rest = text.substr(scheme_end + 3);
  const size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  if (!ParseAuthority(rest.substr(0, authority_end), &url, error)) return false;
  const std::string_view tail = rest.substr(authority_end);
  if (tail.find('#') != std::string_view::npos) {
    return Fail(error, "it has a fragment (#...), which is never sent to the server; remove it");
  }
  if (tail.empty() || tail[0] == '?') {
    url.path = std::string(kDefaultPath) + std::string(tail);
  } else {
    url.path = std::string(tail);
  }
  *out = std::move(url);
  return true;
}

}  // namespace vmq::config
