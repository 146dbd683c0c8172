#ifndef VMQ_TESTS_INTEGRATION_MONITORING_STACK_H_
#define VMQ_TESTS_INTEGRATION_MONITORING_STACK_H_

// Every real component of a deployment on loopback: vmq-sim with three VerneMQ 2.x nodes, the
// exporter polling them every second, Prometheus scraping it and evaluating the committed
// alerts/*.rules.yml, and Alertmanager with a test copy of alerts/alertmanager.yml that
// notifies a WebhookSink. Everything is stopped (by process id) when the stack is destroyed.

#include <memory>
#include <string>

#include "common/process.h"
#include "e2e/cluster.h"
#include "integration/alertmanager_server.h"
#include "integration/prometheus_server.h"
#include "integration/webhook_sink.h"

namespace vmq::testing {

class MonitoringStack {
 public:
  static constexpr int kPollIntervalSeconds = 1;

  // Starts every component; ok() says whether all of them came up.
  explicit MonitoringStack(const std::string& source_dir);
  bool ok() const { return ok_; }
  // What went wrong, with every component's stderr, for a failure message.
  std::string Diagnostics() const;

  SimulatedCluster& cluster() { return *cluster_; }
  Exporter& exporter() { return *exporter_; }
  PrometheusServer& prometheus() { return *prometheus_; }
  AlertmanagerServer& alertmanager() { return *alertmanager_; }
  const WebhookSink& receiver() const { return receiver_; }

 private:
  // Destroyed in reverse order: Prometheus first, so that it does not watch the others go
  // away, and the directory last.
  TempDir dir_;
  WebhookSink receiver_;
  std::unique_ptr<SimulatedCluster> cluster_;
  std::unique_ptr<Exporter> exporter_;
  std::unique_ptr<AlertmanagerServer> alertmanager_;
  std::unique_ptr<PrometheusServer> prometheus_;
  bool ok_ = false;
  std::string error_;
};

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_MONITORING_STACK_H_
