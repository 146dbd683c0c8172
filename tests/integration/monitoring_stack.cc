#include "integration/monitoring_stack.h"

#include <stdexcept>

#include "common/fixtures.h"
#include "integration/alertmanager_config.h"

namespace vmq::testing {
namespace {

std::string ExporterConfig(const SimulatedCluster& cluster) {
  std::string yaml = "targets:\n";
  for (const char* name : {"vmq-1", "vmq-2", "vmq-3"}) {
    yaml += "  - {name: " + std::string(name) +
            ", url: \"http://127.0.0.1:" + std::to_string(cluster.node_port(name)) +
            "/metrics\"}\n";
  }
  yaml += "poll: {interval: " + std::to_string(MonitoringStack::kPollIntervalSeconds) +
          "s, timeout: 800ms}\nwindows: [1m]\n";
  return yaml;
}

std::string ReadCommitted(const std::string& path) {
  std::string text;
  if (!ReadFile(path, &text)) throw std::runtime_error("cannot read " + path);
  return text;
}

}  // namespace

MonitoringStack::MonitoringStack(const std::string& source_dir) {
  const std::vector<SimNode> nodes = {
      {"vmq-1", "2.x", "", true}, {"vmq-2", "2.x", "", true}, {"vmq-3", "2.x", "", true}};
  cluster_ = std::make_unique<SimulatedCluster>(dir_, nodes, /*qos2_per_s=*/1);
  if (!cluster_->ok()) {
    error_ = "vmq-sim did not start";
    return;
  }
  exporter_ = std::make_unique<Exporter>(dir_, ExporterConfig(*cluster_));
  try {
    alertmanager_ = std::make_unique<AlertmanagerServer>(
        dir_, TestAlertmanagerConfig(ReadCommitted(source_dir + "/alerts/alertmanager.yml"),
                                     receiver_.url()));
  } catch (const std::exception& e) {
    error_ = e.what();
    return;
  }
  prometheus_ = std::make_unique<PrometheusServer>(
      dir_, TestPrometheusConfig(exporter_->port(), alertmanager_->port(),
                                 {source_dir + "/alerts/*.rules.yml"}));
  ok_ = exporter_->WaitReady() && alertmanager_->WaitReady() && prometheus_->WaitReady();
  if (!ok_) error_ = "a component did not become ready";
}

std::string MonitoringStack::Diagnostics() const {
  std::string text = error_;
  if (exporter_) text += "\n--- exporter stderr:\n" + exporter_->process().Stderr();
  if (alertmanager_) text += "\n--- alertmanager stderr:\n" + alertmanager_->process().Stderr();
  if (prometheus_) text += "\n--- prometheus stderr:\n" + prometheus_->process().Stderr();
  return text;
}

}  // namespace vmq::testing
