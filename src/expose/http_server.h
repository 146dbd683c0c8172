#ifndef VMQ_EXPOSE_HTTP_SERVER_H_
#define VMQ_EXPOSE_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/log.h"
#include "expose/basic_auth.h"
#include "expose/snapshot.h"
#include "expose/web_config.h"

namespace vmq::expose {

// Limits that keep hostile or broken clients from stalling the server or growing its memory;
// docs/http-server.md says what happens when each is hit.
struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 9742;
  std::string telemetry_path = "/metrics";
  // Event-driven I/O threads: a connection holds no thread, only a socket and a buffer.
  int threads = 2;
  // Beyond this many open connections a new one is accepted and closed at once. Clamped to
  // the open-file limit (whose soft value is raised to the hard one at start) minus a reserve.
  int max_connections = 4096;
  int listen_backlog = 1024;
  // Request line plus headers; beyond it 431 and the connection is closed.
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 64 * 1024;  // beyond it 413
  // From the first byte of a request (from accept for a connection's first request) to the
  // end of its headers and body; then the connection is closed without an answer.
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds tls_handshake_timeout{5000};
  std::chrono::milliseconds write_timeout{10000};
  // A keep-alive connection waits this long for its next request.
  int keep_alive_seconds = 5;
  int keep_alive_max_requests = 100;
  // bcrypt worker pool and credential caches for basic auth.
  AuthLimits auth{};
  // The file `web` (below) was loaded from, or empty. When set it is read again, as
  // exporter-toolkit does, whenever it (or the certificate or key it names) changes, before the
  // next request or TLS handshake is served: passwords and certificates rotate without a restart. A
  // file that becomes unreadable or invalid fails closed (500 to every request but /-/healthy, TLS
  // handshakes refused) and is logged until it is valid again.
  std::string web_config_file{};
  // POST or PUT /-/reload runs it: "" on success, else the error, answered 500. Unset: the
  // lifecycle API is off and POST/PUT /-/reload answer 403, as Prometheus does without
  // --web.enable-lifecycle. Runs on an I/O thread (reloads are rare and short).
  std::function<std::string()> reload{};
  // TLS and basic auth from --web.config.file; the default serves plain HTTP to anyone.
  WebConfig web;
};

// Serves /metrics (gzip when asked), the landing page, /-/healthy and /-/ready from the
// latest snapshot only, and /-/reload (ServerOptions::reload). With basic-auth users every path but
// /-/healthy needs credentials: liveness probes (kubelet, the container HEALTHCHECK) carry none and
// reveal nothing. Refused connections and requests are counted by reason in vmq_http_refused_total,
// appended to the telemetry page.
class HttpServer {
 public:
  HttpServer(ServerOptions options, const SnapshotSource& store, Logger& logger);
  ~HttpServer();

  // Binds and serves on threads of its own; false (and a log line) when the address cannot
  // be bound or the TLS certificate and key cannot be used together.
  bool Start();
  int bound_port() const;
  // vmq_http_refused_total and vmq_http_open_connections as text format, for a source that
  // puts them on the page itself (Snapshot::includes_server_metrics). Thread-safe.
  std::string OwnMetricsText() const;
  // Stops accepting and serving, closes every connection and joins. Safe to call more than
  // once.
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
