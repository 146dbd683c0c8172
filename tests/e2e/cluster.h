#ifndef VMQ_TESTS_E2E_CLUSTER_H_
#define VMQ_TESTS_E2E_CLUSTER_H_

// A simulated VerneMQ cluster (the real vmq-sim binary) and the real exporter polling it,
// both on loopback, for end-to-end tests.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/process.h"

namespace vmq::testing {

struct SimNode {
  std::string name;
  std::string layout;      // "2.x", "1.x"
  std::string namespace_;  // custom prefix, or ""
  bool final_newline = true;
};

class SimulatedCluster {
 public:
  // Starts vmq-sim with these nodes; fails the test when it does not come up.
  SimulatedCluster(const TempDir& dir, const std::vector<SimNode>& nodes, int qos2_per_s = 0);
  bool ok() const { return control_port_ > 0; }
  int control_port() const { return control_port_; }
  int node_port(const std::string& name) const { return node_ports_.at(name); }
  // POSTs an event to the control API; returns the HTTP status.
  int Inject(const std::string& node, const std::string& event, int count = 1,
             const std::string& mode = "");
  // The simulator's record of applied events (JSON text).
  std::string Events() const;

 private:
  std::unique_ptr<ChildProcess> process_;
  int control_port_ = 0;
  std::map<std::string, int> node_ports_;
};

class Exporter {
 public:
  // Writes `config_yaml` to the dir and starts the exporter on a free port.
  Exporter(const TempDir& dir, const std::string& config_yaml);
  // With more flags, on `port` (0: a free one) and logging to `log_name`.out/.err in the dir:
  // a restart is a second Exporter with the same port.
  Exporter(const TempDir& dir, const std::string& config_yaml,
           const std::vector<std::string>& extra_args, int port = 0,
           const std::string& log_name = "exporter");
  bool WaitReady();
  std::string Metrics() const;
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace vmq::testing

#endif  // VMQ_TESTS_E2E_CLUSTER_H_
