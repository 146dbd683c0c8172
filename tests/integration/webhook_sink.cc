#include "integration/webhook_sink.h"

#include <httplib.h>

#include "common/server_thread.h"

namespace vmq::testing {

WebhookSink::WebhookSink() : server_(std::make_unique<httplib::Server>()) {
  server_->Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex_);
    bodies_.push_back(request.body);
    response.status = 200;
  });
  running_ = std::make_unique<ServerThread>(*server_);
}

WebhookSink::~WebhookSink() = default;

std::string WebhookSink::url() const {
  return "http://127.0.0.1:" + std::to_string(running_->port()) + "/alertmanager-webhook";
}

std::vector<std::string> WebhookSink::Notifications() const {
  std::lock_guard lock(mutex_);
  return bodies_;
}

}  // namespace vmq::testing
