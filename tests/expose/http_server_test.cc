// The HTTP server in process, over real loopback HTTP: routing, methods, HEAD, keep-alive,
// pipelining and basic auth. Hostile clients against the real binary: tests/faults/clients.

#include "expose/http_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <string>

#include "common/bcrypt.h"

namespace vmq::expose {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(WebConfig web = {}, int max_requests = 100) {
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->metrics_text = "# TYPE vmq_x gauge\nvmq_x 1\n";
    snapshot->ready = true;
    store_.Publish(snapshot);
    server_ = std::make_unique<HttpServer>(ServerOptions{.host = "127.0.0.1",
                                                         .port = 0,
                                                         .keep_alive_max_requests = max_requests,
                                                         .web = std::move(web)},
                                           store_, logger_);
    ASSERT_TRUE(server_->Start()) << log_.str();
  }

  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", server_->bound_port());
    client.set_read_timeout(std::chrono::seconds(5));
    return client;
  }

  // Sends `bytes` on a fresh connection and returns everything received until the server
  // closes it (or 5 s pass).
  std::string Exchange(const std::string& bytes) const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(server_->bound_port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    std::string received;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
      char buffer[4096];
      ssize_t got = 0;
      while ((got = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
        received.append(buffer, static_cast<size_t>(got));
      }
    }
    close(fd);
    return received;
  }

  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug, LogFormat::kLogfmt};
  SnapshotStore store_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesTheSnapshotWithTheServersOwnCounters) {
  Start();
  const httplib::Result result = Client().Get("/metrics");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_THAT(result->body, StartsWith("# TYPE vmq_x gauge\nvmq_x 1\n"));
  EXPECT_THAT(result->body, HasSubstr("vmq_http_refused_total{reason=\"header_too_large\"} 0\n"));
  EXPECT_THAT(result->body, HasSubstr("vmq_http_open_connections 1\n"));
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(result->get_header_value("Vary"), "Accept-Encoding");
  EXPECT_EQ(Client().Get("/metrics?debug=1")->status, 200);
  EXPECT_EQ(Client().Get("/%6detrics")->status, 200);
}

TEST_F(HttpServerTest, UnknownPathIs404AndOtherMethodsAre405) {
  Start();
  const httplib::Result missing = Client().Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "HTTP 404\n");
  const httplib::Result post = Client().Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  EXPECT_EQ(Client().Delete("/nope")->status, 404);
}

TEST_F(HttpServerTest, HeadGivesTheLengthWithoutTheBody) {
  Start();
  const std::string answer =
      Exchange("HEAD /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(answer, HasSubstr("Content-Length: 9\r\n"));
  EXPECT_EQ(answer.substr(answer.size() - 4), "\r\n\r\n");
}

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrderAndClosesAfterTheRequestLimit) {
  Start({}, /*max_requests=*/2);
  const std::string answers = Exchange(
      "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nGET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n");
  const size_t healthy = answers.find("Healthy.\n");
  const size_t ready = answers.find("Ready.\n");
  ASSERT_NE(healthy, std::string::npos) << answers;
  ASSERT_NE(ready, std::string::npos) << answers;
  EXPECT_LT(healthy, ready);
  // The second answer says Connection: close and the third request is not served.
  EXPECT_THAT(answers.substr(healthy), HasSubstr("Connection: close"));
  EXPECT_EQ(answers.find("Healthy.\n", healthy + 1), std::string::npos);
}

TEST_F(HttpServerTest, Http10ClosesAfterOneAnswer) {
  Start();
  const std::string answer = Exchange("GET /-/healthy HTTP/1.0\r\n\r\n");
  EXPECT_THAT(answer, StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_THAT(answer, HasSubstr("Healthy.\n"));
}

TEST_F(HttpServerTest, MalformedRequestIs400AndBodyOverTheLimitIs413) {
  Start();
  EXPECT_THAT(Exchange("GARBAGE\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(Exchange("GET metrics HTTP/1.1\r\nHost: x\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(Exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                       std::string(100000, 'x')),
              StartsWith("HTTP/1.1 413 "));
}

TEST_F(HttpServerTest, BasicAuthOnEveryPathButHealthy) {
  Start({.tls = std::nullopt, .basic_auth_users = {{"alice", testing::Bcrypt("pw")}}});
  EXPECT_EQ(Client().Get("/-/healthy")->status, 200);
  const httplib::Result refused = Client().Get("/metrics");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_THAT(refused->get_header_value("WWW-Authenticate"), StartsWith("Basic realm="));
  EXPECT_EQ(Client().Get("/-/ready")->status, 401);
  EXPECT_EQ(Client().Get("/nope")->status, 401);  // no path is revealed without credentials
  httplib::Client client = Client();
  client.set_basic_auth("alice", "pw");
  EXPECT_EQ(client.Get("/metrics")->status, 200);
  EXPECT_EQ(client.Get("/")->status, 200);
  client.set_basic_auth("alice", "wrong");
  EXPECT_EQ(client.Get("/metrics")->status, 401);
}

TEST_F(HttpServerTest, StopsWithOpenConnectionsAndCannotBindTwice) {
  Start();
  httplib::Client client = Client();
  client.set_keep_alive(true);
  ASSERT_EQ(client.Get("/-/healthy")->status, 200);
  HttpServer second(ServerOptions{.host = "127.0.0.1", .port = server_->bound_port(), .web = {}},
                    store_, logger_);
  EXPECT_FALSE(second.Start());
  EXPECT_THAT(log_.str(), HasSubstr("cannot listen"));
  server_->Stop();
  server_->Stop();
  EXPECT_FALSE(client.Get("/-/healthy"));
}

}  // namespace
}  // namespace vmq::expose
