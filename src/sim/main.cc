// vmq-sim: serves /metrics for simulated VerneMQ nodes and lets tests inject client
// misbehaviour, restarts and outages. See docs/simulator.md.

#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "common/clock.h"
#include "sim/ports_file.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace {

constexpr char kUsage[] =
    "usage: vmq-sim --scenario FILE [--ports-file PATH]\n"
    "  --scenario FILE     scenario YAML: nodes, their layout and background traffic, timeline\n"
    "  --ports-file PATH   once listening, write {\"control\": P, \"nodes\": {...}} there\n";

struct Flags {
  std::string scenario;
  std::string ports_file;
};

std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const std::string& name, std::string* out) {
      if (arg == name && i + 1 < argc) {
        *out = argv[++i];
        return true;
      }
      if (arg.starts_with(name + "=")) {
        *out = arg.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    if (value("--scenario", &flags.scenario) || value("--ports-file", &flags.ports_file)) continue;
    std::cerr << "vmq-sim: unknown argument '" << arg << "'\n";
    return std::nullopt;
  }
  if (flags.scenario.empty()) return std::nullopt;
  return flags;
}

// Blocked in every thread so that the main thread alone takes them, with sigwait.
sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << kUsage;
      return 0;
    }
  }
  std::optional<Flags> flags = ParseFlags(argc, argv);
  if (!flags) {
    std::cerr << kUsage;
    return 2;
  }

  vmq::sim::Scenario scenario;
  try {
    scenario = vmq::sim::LoadScenario(flags->scenario);
  } catch (const vmq::sim::ScenarioError& e) {
    std::cerr << "vmq-sim: " << e.what() << "\n";
    return 2;
  }

  const sigset_t stop_signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  vmq::SystemClock clock;
  vmq::sim::Simulator simulator(scenario, clock);
  try {
    simulator.Start();
    const std::string ports = simulator.PortsJson();
    if (!flags->ports_file.empty()) vmq::sim::WriteFileAtomically(flags->ports_file, ports + "\n");
    std::cout << ports << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "vmq-sim: " << e.what() << "\n";
    return 1;
  }

  int received = 0;
  sigwait(&stop_signals, &received);
  simulator.Stop();
  return 0;
}
