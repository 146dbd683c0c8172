#ifndef VMQ_SIM_NODE_SERVER_H_
#define VMQ_SIM_NODE_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sim/serve_mode.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace vmq::sim {

// One node's HTTP listener on 127.0.0.1, serving GET /metrics and failing on demand the ways
// real scrapes fail. "refuse" really closes the listening socket; leaving it listens again on
// the same port.
class NodeServer {
 public:
  using PageSource = std::function<std::string()>;

  // `port` 0 picks a free port at Start.
  NodeServer(int port, PageSource page);
  ~NodeServer();
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  // Throws std::runtime_error when the port cannot be bound.
  void Start();
  // Returns false when leaving "refuse" could not listen on the port again (it stays closed).
  bool SetMode(ServeMode mode);
  void Stop();
  int port() const { return port_; }

 private:
  bool Listen();
  void CloseListener();
  void Serve(const httplib::Request& request, httplib::Response& response);
  void HangUntilReleased();

  PageSource page_;
  std::atomic<int> port_;
  std::atomic<std::uint64_t> garbage_seed_{1};

  std::mutex lifecycle_mu_;  // listener and thread
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;

  std::mutex mode_mu_;
  std::condition_variable mode_changed_;
  ServeMode mode_ = ServeMode::kUp;
  bool stopping_ = false;
};

}  // namespace vmq::sim

#endif  // VMQ_SIM_NODE_SERVER_H_
