#ifndef VMQ_SIM_SIMULATOR_H_
#define VMQ_SIM_SIMULATOR_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "sim/cluster.h"
#include "sim/control_server.h"
#include "sim/node_server.h"
#include "sim/scenario.h"

namespace vmq::sim {

// A whole running simulation: one listener per node, the control API, and a driver thread
// for background traffic and the timeline.
class Simulator {
 public:
  Simulator(const Scenario& scenario, const Clock& clock);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Listens everywhere, then starts the timeline clock. Throws std::runtime_error when a port
  // cannot be bound.
  void Start();
  void Stop();

  int control_port() const { return control_.port(); }
  int node_port(std::size_t node) const { return servers_[node]->port(); }
  // The ports file's content.
  std::string PortsJson() const;
  Cluster& cluster() { return cluster_; }

 private:
  void Drive();

  const Clock& clock_;
  const int wanted_control_port_;
  Cluster cluster_;
  std::vector<std::unique_ptr<NodeServer>> servers_;
  ControlServer control_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread driver_;
};

}  // namespace vmq::sim

#endif  // VMQ_SIM_SIMULATOR_H_
