#ifndef VMQ_SIM_CONTROL_SERVER_H_
#define VMQ_SIM_CONTROL_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "sim/cluster.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace vmq::sim {

// The control API on 127.0.0.1, for tests and demos to drive the cluster:
//   POST /nodes/{name}/events?event=E&count=N[&mode=M]  -> the applied event
//   GET  /events[?after=SEQ]                            -> applied events in order
//   GET  /nodes                                         -> every node and its state
// Every answer is JSON; errors are {"error": "..."} with 400 or 404.
class ControlServer {
 public:
  explicit ControlServer(Cluster& cluster);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // `port` 0 picks a free port. Throws std::runtime_error when it cannot listen.
  void Start(int port);
  void Stop();
  int port() const { return port_; }

 private:
  void Route();

  Cluster& cluster_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// JSON renderings of the API's answers.
std::string EventJson(const AppliedEvent& event);
std::string EventsJson(const std::vector<AppliedEvent>& events);
std::string NodesJson(const Cluster& cluster);

}  // namespace vmq::sim

#endif  // VMQ_SIM_CONTROL_SERVER_H_
