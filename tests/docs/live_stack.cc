#include "docs/live_stack.h"

#include <string_view>

namespace vmq::docs {
namespace {

constexpr std::string_view kExporterAddresses[] = {"localhost:9742", "127.0.0.1:9742"};
constexpr std::string_view kTargetUrl = "<target url>";

void ReplaceAll(std::string* text, std::string_view from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at)) {
    text->replace(at, from.size(), to);
    at += to.size();
  }
}

}  // namespace

LiveStack::LiveStack() {
  cluster_ = std::make_unique<vmq::testing::SimulatedCluster>(
      dir_, std::vector<vmq::testing::SimNode>{{"vmq-1", "2.x", "", true}});
  if (!cluster_->ok()) {
    error_ = "vmq-sim did not start";
    return;
  }
  exporter_ = std::make_unique<vmq::testing::Exporter>(
      dir_, "targets:\n  - url: http://127.0.0.1:" + std::to_string(cluster_->node_port("vmq-1")) +
                "/metrics\n    name: vmq-1\n");
  if (!exporter_->WaitReady())
    error_ = "the exporter is not ready: " + exporter_->process().Stderr();
}

std::string LiveStack::Substitute(std::string script) const {
  for (std::string_view address : kExporterAddresses) {
    ReplaceAll(&script, address, "127.0.0.1:" + std::to_string(exporter_->port()));
  }
  ReplaceAll(&script, kTargetUrl,
             "http://127.0.0.1:" + std::to_string(cluster_->node_port("vmq-1")) + "/metrics");
  return script;
}

bool LiveStack::Needed(const std::string& script) {
  for (std::string_view address : kExporterAddresses) {
    if (script.find(address) != std::string::npos) return true;
  }
  return script.find(kTargetUrl) != std::string::npos;
}

}  // namespace vmq::docs
