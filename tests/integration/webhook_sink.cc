#include "integration/webhook_sink.h"

#include <httplib.h>

namespace vmq::testing {

WebhookSink::WebhookSink() : server_(std::make_unique<httplib::Server>()) {
  server_->Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex_);
    bodies_.push_back(request.body);
    response.status = 200;
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() before the accept loop runs is a no-op in cpp-httplib 0.11 and join would hang.
  while (!server_->is_running()) std::this_thread::yield();
}

WebhookSink::~WebhookSink() {
  server_->stop();
  thread_.join();
}

std::string WebhookSink::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/alertmanager-webhook";
}

std::vector<std::string> WebhookSink::Notifications() const {
  std::lock_guard lock(mutex_);
  return bodies_;
}

}  // namespace vmq::testing
