#include "expose/http_server.h"

#include <httplib.h>

#include <utility>

#include "expose/basic_auth.h"

namespace vmq::expose {
namespace {

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kHealthyPath[] = "/-/healthy";

std::unique_ptr<httplib::Server> MakeServer(const WebConfig& web) {
  if (!web.tls) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(web.tls->cert_file.c_str(),
                                              web.tls->key_file.c_str());
}

std::unique_ptr<BasicAuthChecker> MakeAuthChecker(const WebConfig& web) {
  if (web.basic_auth_users.empty()) return nullptr;
  return std::make_unique<BasicAuthChecker>(web.basic_auth_users);
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions server_options, const SnapshotStore& snapshot_store, Logger& log)
      : options(std::move(server_options)),
        store(snapshot_store),
        logger(log),
        server(MakeServer(options.web)),
        auth(MakeAuthChecker(options.web)) {}

  void InstallRoutes(const std::string& version);
  void InstallAuthentication();

  ServerOptions options;
  const SnapshotStore& store;
  Logger& logger;
  std::unique_ptr<httplib::Server> server;
  std::unique_ptr<BasicAuthChecker> auth;  // null: no authentication
  std::thread accept_loop;
  int port = 0;
};

void HttpServer::Impl::InstallRoutes(const std::string& version) {
  server->Get(options.telemetry_path, [this](const httplib::Request&, httplib::Response& res) {
    // Compression, when the scraper asks for gzip, is applied by cpp-httplib.
    res.set_content(store.Current()->metrics_text, kMetricsContentType);
  });
  server->Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Healthy.\n", "text/plain; charset=utf-8");
  });
  server->Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (store.Current()->ready) {
      res.set_content("Ready.\n", "text/plain; charset=utf-8");
    } else {
      res.status = 503;
      res.set_content("Not ready: waiting for the first poll of every target.\n",
                      "text/plain; charset=utf-8");
    }
  });
  server->Get("/", [this, version](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderLandingPage(*store.Current(), options.telemetry_path, version),
                    "text/html; charset=utf-8");
  });
  server->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content("HTTP " + std::to_string(res.status) + "\n", "text/plain; charset=utf-8");
    }
  });
}

void HttpServer::Impl::InstallAuthentication() {
  if (!auth) return;
  server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path == kHealthyPath || auth->Allows(req.get_header_value("Authorization"))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Basic realm=\"vernemq-pubcomp-exporter\"");
    res.set_content("Unauthorized\n", "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
}

HttpServer::HttpServer(ServerOptions options, const SnapshotStore& store, Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), store, logger)) {
  const int threads = impl_->options.threads;
  impl_->server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server->set_keep_alive_timeout(impl_->options.keep_alive_seconds);
  impl_->server->set_keep_alive_max_count(impl_->options.keep_alive_max_requests);
  impl_->server->set_read_timeout(10);
  impl_->server->set_write_timeout(10);
  impl_->server->set_payload_max_length(64 * 1024);
  impl_->InstallRoutes(VMQ_VERSION);
  impl_->InstallAuthentication();
}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Start() {
  auto& opts = impl_->options;
  if (!impl_->server->is_valid()) {
    impl_->logger.Error(
        "cannot use the TLS certificate and key",
        {{"cert_file", opts.web.tls->cert_file}, {"key_file", opts.web.tls->key_file}});
    return false;
  }
  if (opts.port == 0) {
    impl_->port = impl_->server->bind_to_any_port(opts.host);
  } else if (impl_->server->bind_to_port(opts.host, opts.port)) {
    impl_->port = opts.port;
  }
  if (impl_->port <= 0) {
    impl_->logger.Error("cannot listen",
                        {{"address", opts.host + ":" + std::to_string(opts.port)}});
    return false;
  }
  impl_->accept_loop = std::thread([this] { impl_->server->listen_after_bind(); });
  // cpp-httplib 0.11 ignores stop() until the accept loop runs; wait for it so Stop() works.
  while (!impl_->server->is_running()) std::this_thread::yield();
  impl_->logger.Info("listening", {{"address", opts.host + ":" + std::to_string(impl_->port)},
                                   {"tls", opts.web.tls ? "true" : "false"},
                                   {"basic_auth", impl_->auth ? "true" : "false"}});
  return true;
}

int HttpServer::bound_port() const { return impl_->port; }

void HttpServer::Stop() {
  impl_->server->stop();
  if (impl_->accept_loop.joinable()) impl_->accept_loop.join();
}

}  // namespace vmq::expose
