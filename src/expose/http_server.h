#ifndef VMQ_EXPOSE_HTTP_SERVER_H_
#define VMQ_EXPOSE_HTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "common/log.h"
#include "expose/snapshot.h"
#include "expose/web_config.h"

namespace vmq::expose {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 9742;
  std::string telemetry_path = "/metrics";
  // cpp-httplib holds one pool thread per open connection: a small pool plus short
  // keep-alive keeps idle scrapers from starving the rest.
  int threads = 8;
  int keep_alive_seconds = 5;
  int keep_alive_max_requests = 100;
  // TLS and basic auth from --web.config.file; the default serves plain HTTP to anyone.
  WebConfig web;
};

// Serves /metrics (gzip when asked), the landing page, /-/healthy and /-/ready from the
// latest snapshot only. With basic-auth users every path but /-/healthy needs credentials:
// liveness probes (kubelet, the container HEALTHCHECK) carry none and reveal nothing.
class HttpServer {
 public:
  HttpServer(ServerOptions options, const SnapshotStore& store, Logger& logger);
  ~HttpServer();

  // Binds and serves on a thread of its own; false (and a log line) when the address cannot
  // be bound or the TLS certificate and key cannot be used together.
  bool Start();
  int bound_port() const;
  // Stops accepting, finishes in-flight requests and joins. Safe to call more than once.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HTML landing page: links and a table of targets with their state and last error.
std::string RenderLandingPage(const Snapshot& snapshot, const std::string& telemetry_path,
                              const std::string& version);

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_HTTP_SERVER_H_
