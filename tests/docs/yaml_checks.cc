#include "docs/yaml_checks.h"

#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "common/fixtures.h"
#include "common/process.h"
#include "docs/doc_files.h"

namespace vmq::docs {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

Problems RunTool(const std::vector<std::string>& argv) {
  std::string output;
  const int status = vmq::testing::RunCommand(argv, &output, seconds(15));
  if (status == 0) return {};
  std::string command;
  for (const std::string& word : argv) command += (command.empty() ? "" : " ") + word;
  return {command + " exited " + std::to_string(status) + ":\n" + output};
}

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at)) {
    text->replace(at, from.size(), to);
    at += to.size();
  }
}

// A YAML tree as text with maps in key order, so that two files compare equal when their
// content is, whatever their comments, quoting or layout.
std::string Canonical(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      std::map<std::string, std::string> entries;
      for (const auto& entry : node) entries[entry.first.Scalar()] = Canonical(entry.second);
      std::string out = "{";
      for (const auto& [key, value] : entries) out += key + ": " + value + ", ";
      return out + "}";
    }
    case YAML::NodeType::Sequence: {
      std::string out = "[";
      for (const auto& item : node) out += Canonical(item) + ", ";
      return out + "]";
    }
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "~";
  }
}

}  // namespace

bool HasProgram(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

Problems CheckPrometheusRules(const CodeBlock& block) {
  vmq::testing::TempDir dir;
  return RunTool({"promtool", "check", "rules", dir.Write("rules.yml", block.body)});
}

Problems CheckPrometheusConfig(const CodeBlock& block) {
  std::string config = block.body;
  const YAML::Node rule_files = YAML::Load(block.body)["rule_files"];
  for (const YAML::Node& rule_file : rule_files) {
    const std::string path = rule_file.as<std::string>();
    const std::string committed = SourceRoot() + "/alerts/" + fs::path(path).filename().string();
    if (fs::exists(committed)) ReplaceAll(&config, path, committed);
  }
  vmq::testing::TempDir dir;
  return RunTool({"promtool", "check", "config", dir.Write("prometheus.yml", config)});
}

Problems CheckAlertmanagerConfig(const CodeBlock& block) {
  vmq::testing::TempDir dir;
  return RunTool({"amtool", "check-config", dir.Write("alertmanager.yml", block.body)});
}

Problems CheckKubernetes(const CodeBlock& block) {
  Problems problems;
  for (const YAML::Node& document : YAML::LoadAll(block.body)) {
    if (!document["apiVersion"].IsScalar() || !document["kind"].IsScalar() ||
        !document["metadata"]["name"].IsScalar()) {
      problems.push_back("a Kubernetes object needs apiVersion, kind and metadata.name");
    }
  }
  return problems;
}

Problems CheckScenario(const CodeBlock& block) {
  vmq::testing::TempDir dir;
  const std::string scenario = dir.Write("scenario.yaml", block.body);
  const std::string ports = dir.path() + "/ports.json";
  vmq::testing::ChildProcess sim(
      {vmq::testing::BinaryPath("vmq-sim"), "--scenario", scenario, "--ports-file", ports},
      dir.path() + "/vmq-sim");
  std::string written;
  const bool up = vmq::testing::WaitFor(
      [&] {
        return !sim.Running() || (vmq::testing::ReadFile(ports, &written) && !written.empty());
      },
      seconds(10));
  if (!sim.Running()) {
    return {"vmq-sim refused the scenario (exit " + std::to_string(sim.Wait(seconds(1))) +
            "): " + sim.Stderr()};
  }
  if (!up) return {"vmq-sim did not write its ports file within 10 s: " + sim.Stderr()};
  const int status = sim.Stop();
  if (status != 0)
    return {"vmq-sim did not stop cleanly on SIGTERM: exit " + std::to_string(status)};
  return {};
}

Problems CheckSameAs(const CodeBlock& block, const Marker& marker) {
  bool ok = false;
  const std::string file = ReadSourceFile(marker.path, &ok);
  if (!ok) return {"same as " + marker.path + ": no such file in the repository"};
  try {
    if (Canonical(YAML::Load(block.body)) == Canonical(YAML::Load(file))) return {};
  } catch (const YAML::Exception& error) {
    return {marker.path + " does not parse: " + error.what()};
  }
  return {"differs from " + marker.path + " (compared as YAML); make them the same"};
}

}  // namespace vmq::docs
