#include "e2e/cluster.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "common/fixtures.h"
#include "common/http.h"

namespace vmq::testing {

using std::chrono::seconds;

SimulatedCluster::SimulatedCluster(const TempDir& dir, const std::vector<SimNode>& nodes,
                                   int qos2_per_s) {
  std::string scenario = "control_port: 0\nnodes:\n";
  for (const SimNode& node : nodes) {
    scenario += "  - name: " + node.name + "\n    port: 0\n    layout: \"" + node.layout +
                "\"\n    final_newline: " + (node.final_newline ? "true" : "false") + "\n";
    if (!node.namespace_.empty()) scenario += "    namespace: " + node.namespace_ + "\n";
    scenario += "    background: {qos2_per_s: " + std::to_string(qos2_per_s) + "}\n";
  }
  const std::string scenario_file = dir.Write("scenario.yaml", scenario);
  const std::string ports_file = dir.path() + "/ports.json";
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{BinaryPath("vmq-sim"), "--scenario", scenario_file, "--ports-file",
                               ports_file},
      dir.path() + "/vmq-sim");
  std::string ports;
  if (!WaitFor([&] { return ReadFile(ports_file, &ports) && !ports.empty(); }, seconds(10))) {
    ADD_FAILURE() << "vmq-sim did not start: " << process_->Stderr();
    return;
  }
  const auto json = nlohmann::json::parse(ports);
  control_port_ = json.at("control").get<int>();
  for (const auto& [name, port] : json.at("nodes").items()) node_ports_[name] = port.get<int>();
}

int SimulatedCluster::Inject(const std::string& node, const std::string& event, int count,
                             const std::string& mode) {
  std::string path =
      "/nodes/" + node + "/events?event=" + event + "&count=" + std::to_string(count);
  if (!mode.empty()) path += "&mode=" + mode;
  return HttpPost(control_port_, path).status;
}

std::string SimulatedCluster::Events() const { return HttpGet(control_port_, "/events").body; }

Exporter::Exporter(const TempDir& dir, const std::string& config_yaml) : port_(FreePort()) {
  const std::string config_file = dir.Write("config.yaml", config_yaml);
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{
          BinaryPath("vernemq-pubcomp-exporter"), "--config.file=" + config_file,
          "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=debug"},
      dir.path() + "/exporter");
}

Exporter::Exporter(const TempDir& dir, const std::string& config_yaml,
                   const std::vector<std::string>& extra_args, int port,
                   const std::string& log_name)
    : port_(port > 0 ? port : FreePort()) {
  const std::string config_file = dir.Write("config.yaml", config_yaml);
  std::vector<std::string> argv{
      BinaryPath("vernemq-pubcomp-exporter"), "--config.file=" + config_file,
      "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=debug"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ChildProcess>(std::move(argv), dir.path() + "/" + log_name);
}

bool Exporter::WaitReady() {
  return WaitFor([&] { return HttpGet(port_, "/-/ready").status == 200; }, seconds(15));
}

std::string Exporter::Metrics() const { return HttpGet(port_, "/metrics").body; }

}  // namespace vmq::testing
