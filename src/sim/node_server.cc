#include "sim/node_server.h"

#include <httplib.h>

#include <stdexcept>

#include "sim/faults.h"
#include "sim/http_listener.h"

namespace vmq::sim {
namespace detail {
namespace {

constexpr char kPageType[] = "text/plain; version=0.0.4";
constexpr std::size_t kGarbageBytes = 4096;

}  // namespace
}  // namespace detail

NodeServer::NodeServer(int port, PageSource page) : page_(std::move(page)), port_(port) {}

NodeServer::~NodeServer() { Stop(); }

void NodeServer::Start() {
  std::lock_guard lock(lifecycle_mu_);
  if (!Listen()) {
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port_.load()));
  }
}

bool NodeServer::SetMode(ServeMode mode) {
  std::lock_guard lock(lifecycle_mu_);
  ServeMode old;
  {
    std::lock_guard mode_lock(mode_mu_);
    if (stopping_) return true;
    old = mode_;
    mode_ = mode;
  }
  mode_changed_.notify_all();
  if (mode == ServeMode::kRefuse && old != ServeMode::kRefuse) CloseListener();
  if (mode != ServeMode::kRefuse && old == ServeMode::kRefuse) return Listen();
  return true;
}

void NodeServer::Stop() {
  std::lock_guard lock(lifecycle_mu_);
  {
    std::lock_guard mode_lock(mode_mu_);
    stopping_ = true;
  }
  mode_changed_.notify_all();
  CloseListener();
}

bool NodeServer::Listen() {
  auto server = std::make_unique<httplib::Server>();
  ConfigureSmallServer(*server);
  server->Get("/metrics", [this](const httplib::Request& request, httplib::Response& response) {
    Serve(request, response);
  });
  const int bound = BindLoopback(*server, port_);
  if (bound <= 0) return false;
  port_ = bound;
  thread_ = RunAcceptLoop(*server);
  server_ = std::move(server);
  return true;
}

void NodeServer::CloseListener() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void NodeServer::Serve(const httplib::Request&, httplib::Response& response) {
  ServeMode mode;
  {
    std::lock_guard lock(mode_mu_);
    mode = mode_;
  }
  switch (mode) {
    case ServeMode::kHang:
      HangUntilReleased();
      response.status = 503;
      response.set_content("stopped hanging\n", "text/plain");
      return;
    case ServeMode::kHttp500:
      response.status = 500;
      response.set_content("Internal Server Error\n", "text/plain");
      return;
    case ServeMode::kTruncated:
      response.set_content(TruncateMidLine(page_()), detail::kPageType);
      return;
    case ServeMode::kGarbage:
      response.set_content(GarbageBytes(detail::kGarbageBytes, garbage_seed_++), detail::kPageType);
      return;
    case ServeMode::kUp:
    case ServeMode::kRefuse:  // a request that got in before the socket closed
      response.set_content(page_(), detail::kPageType);
      return;
  }
}

void NodeServer::HangUntilReleased() {
  std::unique_lock lock(mode_mu_);
  mode_changed_.wait(lock, [this] { return stopping_ || mode_ != ServeMode::kHang; });
}

}  // namespace vmq::sim
