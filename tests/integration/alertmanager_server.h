#ifndef VMQ_TESTS_INTEGRATION_ALERTMANAGER_SERVER_H_
#define VMQ_TESTS_INTEGRATION_ALERTMANAGER_SERVER_H_

// The real Alertmanager (Debian package, /usr/bin/prometheus-alertmanager) on loopback, alone
// (clustering off), with its own storage in a test directory.

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "common/process.h"

namespace vmq::testing {

class AlertmanagerServer {
 public:
  AlertmanagerServer(const TempDir& dir, const std::string& config_yaml);
  bool WaitReady();
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }

  // /api/v2/alerts: the alerts Alertmanager holds that have not resolved, active, silenced
  // or inhibited, each with `labels`, `status.state`, `status.inhibitedBy` and `receivers`.
  nlohmann::json Alerts() const;
  // Posts alerts the way Prometheus does; returns the HTTP status.
  int Post(const nlohmann::json& alerts) const;

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_ALERTMANAGER_SERVER_H_
