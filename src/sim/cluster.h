#ifndef VMQ_SIM_CLUSTER_H_
#define VMQ_SIM_CLUSTER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "sim/events.h"
#include "sim/node_model.h"
#include "sim/page_template.h"
#include "sim/scenario.h"
#include "sim/serve_mode.h"

namespace vmq::sim {

struct EventRequest {
  std::string node;
  std::string event;
  std::uint64_t count = 1;
  std::string mode;  // down: refuse (default), hang, http_500, truncated, garbage
};

enum class EventSource { kTimeline, kApi };

// One event as it was applied; what GET /events lists, so that a test can compute the true
// count of anything in any time window.
struct AppliedEvent {
  std::uint64_t seq = 0;
  std::string node;
  std::string event;
  std::uint64_t count = 1;
  std::string mode;          // down events only
  std::string source;        // "timeline" | "api"
  std::int64_t mono_ms = 0;  // steady clock (CLOCK_MONOTONIC) when the counters moved
  std::int64_t unix_ms = 0;
};

struct ApplyOutcome {
  std::optional<AppliedEvent> applied;
  int status = 200;  // 400: bad event, count or mode; 404: unknown node
  std::string error;
};

// The simulated nodes without their network side: models, serve modes, the event log,
// background traffic and the timeline. Thread-safe.
class Cluster {
 public:
  // Called, in event order, when a down/up event changes how a node's endpoint behaves.
  using ModeListener = std::function<void(std::size_t node, ServeMode mode)>;

  static constexpr std::uint64_t kMaxCount = 1'000'000'000;

  // Throws std::invalid_argument when the event catalog does not fit the template.
  Cluster(const Scenario& scenario, const Clock& clock,
          const PageTemplate& tmpl = PageTemplate::Vernemq212());

  void SetModeListener(ModeListener listener);
  // The zero point of the timeline and of background traffic.
  void Begin(MonoTime now);

  ApplyOutcome Apply(const EventRequest& request, EventSource source);
  std::vector<AppliedEvent> Events(std::uint64_t after_seq = 0) const;

  // Brings background traffic up to `now`.
  void AdvanceBackground(MonoTime now);
  // Applies every timeline entry due by `now`; returns when the next one is due.
  std::optional<MonoTime> RunDueTimeline(MonoTime now);

  std::size_t size() const { return nodes_.size(); }
  const NodeSpec& spec(std::size_t node) const { return nodes_[node]->spec; }
  const NodeModel& model(std::size_t node) const { return nodes_[node]->model; }
  std::optional<std::size_t> FindNode(std::string_view name) const;
  ServeMode mode(std::size_t node) const;
  void SetPort(std::size_t node, int port);
  int port(std::size_t node) const;
  // The node's page in its own layout; while the node is held, the page as it was at `hold`.
  std::string Render(std::size_t node) const;
  bool held(std::size_t node) const;

 private:
  struct Node {
    Node(const NodeSpec& s, const PageTemplate& tmpl, const Clock& clock)
        : spec(s), model(tmpl, clock) {}
    NodeSpec spec;
    NodeModel model;
    ServeMode mode = ServeMode::kUp;
    std::optional<std::string> held_page;  // served instead of the live page after `hold`
    int port = 0;
    std::array<std::uint64_t, 3> background_done{};  // flows per QoS since Begin
  };

  std::optional<ApplyOutcome> Validate(const EventRequest& request, std::size_t* node,
                                       const EventSpec** spec, ServeMode* mode) const;
  void ApplyLocked(std::size_t node, const EventSpec& spec, std::uint64_t count, ServeMode mode);
  AppliedEvent RecordLocked(const EventRequest& request, const EventSpec& spec, EventSource source,
                            ServeMode mode);
  void AdvanceNodeBackground(Node& node, double elapsed_s);

  const Clock& clock_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unordered_map<std::string, ResolvedEffect> traffic_;
  std::array<std::array<ResolvedEffect, 3>, 2> messages_;  // [v4, v5][qos]
  std::vector<TimelineEntry> timeline_;

  mutable std::mutex mu_;  // event log, modes, held pages, listener, ports
  ModeListener listener_;
  std::vector<AppliedEvent> log_;

  std::mutex drive_mu_;  // background and timeline progress
  std::optional<MonoTime> begin_;
  std::size_t next_entry_ = 0;
};

}  // namespace vmq::sim

#endif  // VMQ_SIM_CLUSTER_H_
