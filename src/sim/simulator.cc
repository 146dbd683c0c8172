#include "sim/simulator.h"

#include <algorithm>
#include <iostream>

#include "sim/ports_file.h"

namespace vmq::sim {
namespace detail {
namespace {

// How often background traffic catches up with the clock.
constexpr Millis kBackgroundTick{100};

}  // namespace
}  // namespace detail

Simulator::Simulator(const Scenario& scenario, const Clock& clock)
    : clock_(clock),
      wanted_control_port_(scenario.control_port),
      cluster_(scenario, clock),
      control_(cluster_) {
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    servers_.push_back(std::make_unique<NodeServer>(cluster_.spec(i).port,
                                                    [this, i] { return cluster_.Render(i); }));
  }
  cluster_.SetModeListener([this](std::size_t node, ServeMode mode) {
    if (!servers_[node]->SetMode(mode)) {
      std::cerr << "vmq-sim: " << cluster_.spec(node).name << " cannot listen again on port "
                << servers_[node]->port() << "\n";
    }
  });
}

Simulator::~Simulator() { Stop(); }

void Simulator::Start() {
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    servers_[i]->Start();
    cluster_.SetPort(i, servers_[i]->port());
  }
  control_.Start(wanted_control_port_);
  cluster_.Begin(clock_.Now());
  driver_ = std::thread([this] {
    try {
      Drive();
    } catch (const std::exception& e) {
      std::cerr << "vmq-sim: background traffic and timeline stopped: " << e.what() << "\n";
    }
  });
}

void Simulator::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (driver_.joinable()) driver_.join();
  control_.Stop();
  for (auto& server : servers_) server->Stop();
}

std::string Simulator::PortsJson() const {
  std::vector<std::pair<std::string, int>> nodes;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    nodes.emplace_back(cluster_.spec(i).name, servers_[i]->port());
  }
  return sim::PortsJson(control_.port(), nodes);
}

void Simulator::Drive() {
  for (;;) {
    const MonoTime now = clock_.Now();
    cluster_.AdvanceBackground(now);
    const std::optional<MonoTime> next_entry = cluster_.RunDueTimeline(now);
    Millis wait = detail::kBackgroundTick;
    if (next_entry) wait = std::min(wait, std::chrono::ceil<Millis>(*next_entry - now));
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

}  // namespace vmq::sim
