#ifndef VMQ_TESTS_INTEGRATION_WEBHOOK_SINK_H_
#define VMQ_TESTS_INTEGRATION_WEBHOOK_SINK_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace vmq::testing {

class ServerThread;

// Stands in for the receiver's real endpoint in the test copy of alertmanager.yml, so that a
// test sees which receiver Alertmanager notified and with which alerts.
class WebhookSink {
 public:
  WebhookSink();
  ~WebhookSink();
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;

  std::string url() const;
  // Bodies of every notification received so far (Alertmanager's webhook JSON).
  std::vector<std::string> Notifications() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<ServerThread> running_;  // after server_: stops it before it goes
  mutable std::mutex mutex_;
  std::vector<std::string> bodies_;
};

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_WEBHOOK_SINK_H_
