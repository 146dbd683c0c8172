#include "integration/api_client.h"

#include <httplib.h>

#include <cctype>
#include <chrono>
#include <cstdio>

#include "common/http.h"

namespace vmq::testing {

ApiResponse GetJson(int port, const std::string& path) {
  ApiResponse response;
  const HttpResponse http = HttpGet(port, path);
  if (http.status != 200) {
    response.error = "GET " + path + " answered " + std::to_string(http.status) + ": " + http.body;
    return response;
  }
  response.body = nlohmann::json::parse(http.body, nullptr, /*allow_exceptions=*/false);
  if (response.body.is_discarded()) {
    response.error = "GET " + path + " did not answer JSON: " + http.body;
    return response;
  }
  response.ok = true;
  return response;
}

int PostJson(int port, const std::string& path, const nlohmann::json& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(10));
  const auto result = client.Post(path, body.dump(), "application/json");
  return result ? result->status : 0;
}

std::string UrlEncode(const std::string& text) {
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      encoded += hex;
    }
  }
  return encoded;
}

bool HasLabels(const nlohmann::json& labels, const std::map<std::string, std::string>& wanted) {
  for (const auto& [name, value] : wanted) {
    const auto it = labels.find(name);
    if (it == labels.end() || !it->is_string() || it->get<std::string>() != value) return false;
  }
  return true;
}

}  // namespace vmq::testing
