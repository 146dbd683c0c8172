#ifndef VMQ_TESTS_INTEGRATION_API_CLIENT_H_
#define VMQ_TESTS_INTEGRATION_API_CLIENT_H_

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace vmq::testing {

// The JSON of a GET on a loopback HTTP API, or why there is none (connection failed, status
// other than 200, body that is not JSON), so that a test can print the reason.
struct ApiResponse {
  bool ok = false;
  std::string error;
  nlohmann::json body;
};

ApiResponse GetJson(int port, const std::string& path);
// POSTs `body` as application/json; returns the HTTP status (0 when the request failed).
int PostJson(int port, const std::string& path, const nlohmann::json& body);

// Percent-encodes everything but RFC 3986 unreserved characters, for query parameters.
std::string UrlEncode(const std::string& text);

// True when every pair of `wanted` is among the string members of `labels`.
bool HasLabels(const nlohmann::json& labels, const std::map<std::string, std::string>& wanted);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_API_CLIENT_H_
