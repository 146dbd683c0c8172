#include "common/http.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <sstream>

namespace vmq::testing {
namespace {

HttpResponse Convert(const httplib::Result& result) {
  HttpResponse response;
  if (!result) return response;
  response.status = result->status;
  response.body = result->body;
  for (const auto& [name, value] : result->headers) response.headers[name] = value;
  return response;
}

httplib::Client MakeClient(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(10));
  return client;
}

}  // namespace

HttpResponse HttpGet(int port, const std::string& path,
                     const std::map<std::string, std::string>& headers) {
  auto client = MakeClient(port);
  client.set_decompress(false);
  httplib::Headers request_headers(headers.begin(), headers.end());
  return Convert(client.Get(path, request_headers));
}

HttpResponse HttpPost(int port, const std::string& path) {
  auto client = MakeClient(port);
  return Convert(client.Post(path));
}

double SampleValue(const std::string& page, const std::string& series) {
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

bool HasSeriesWithLabel(const std::string& page, const std::string& metric,
                        const std::string& label_pair) {
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(metric + "{", 0) == 0 && line.find(label_pair) != std::string::npos) {
      return true;
    }
  }
  return false;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace vmq::testing
