#include "sim/cluster.h"

#include <cmath>

namespace vmq::sim {
namespace detail {
namespace {

// Background flows alternate between MQTT versions: flow 0 is v4, flow 1 v5, and so on.
std::uint64_t V4FlowsAmongFirst(std::uint64_t flows) { return (flows + 1) / 2; }

std::int64_t ToMillis(auto time_since_epoch) {
  return std::chrono::duration_cast<Millis>(time_since_epoch).count();
}

ApplyOutcome Rejected(int status, std::string error) {
  ApplyOutcome out;
  out.status = status;
  out.error = std::move(error);
  return out;
}

}  // namespace
}  // namespace detail

Cluster::Cluster(const Scenario& scenario, const Clock& clock, const PageTemplate& tmpl)
    : clock_(clock), timeline_(scenario.timeline) {
  for (const NodeSpec& spec : scenario.nodes) {
    nodes_.push_back(std::make_unique<Node>(spec, tmpl, clock));
    nodes_.back()->port = spec.port;
  }
  for (const EventSpec& spec : AllEvents()) {
    if (spec.kind == EventKind::kTraffic) traffic_.emplace(spec.name, Resolve(tmpl, spec.effect));
  }
  for (int v : {4, 5}) {
    for (int qos : {0, 1, 2}) {
      messages_[v == 4 ? 0 : 1][static_cast<std::size_t>(qos)] =
          Resolve(tmpl, MessageEffect(qos, v));
    }
  }
}

void Cluster::SetModeListener(ModeListener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void Cluster::Begin(MonoTime now) {
  std::lock_guard lock(drive_mu_);
  begin_ = now;
}

std::optional<ApplyOutcome> Cluster::Validate(const EventRequest& request, std::size_t* node,
                                              const EventSpec** spec, ServeMode* mode) const {
  auto found = FindNode(request.node);
  if (!found) return detail::Rejected(404, "no node is named '" + request.node + "'");
  *node = *found;
  *spec = FindEvent(request.event);
  if (*spec == nullptr) return detail::Rejected(400, "unknown event '" + request.event + "'");
  if (request.count == 0 || request.count > kMaxCount) {
    return detail::Rejected(400, "count must be from 1 to " + std::to_string(kMaxCount));
  }
  *mode = ServeMode::kUp;
  if ((*spec)->kind == EventKind::kDown) {
    auto parsed = ParseDownMode(request.mode.empty() ? "refuse" : request.mode);
    if (!parsed) {
      return detail::Rejected(
          400, "mode is refuse, hang, http_500, truncated or garbage, not '" + request.mode + "'");
    }
    *mode = *parsed;
  } else if (!request.mode.empty()) {
    return detail::Rejected(400, "only the down event takes a mode");
  }
  return std::nullopt;
}

ApplyOutcome Cluster::Apply(const EventRequest& request, EventSource source) {
  std::size_t node = 0;
  const EventSpec* spec = nullptr;
  ServeMode mode = ServeMode::kUp;
  if (auto rejected = Validate(request, &node, &spec, &mode)) return *rejected;

  std::lock_guard lock(mu_);
  ApplyLocked(node, *spec, request.count, mode);
  ApplyOutcome out;
  out.applied = RecordLocked(request, *spec, source, mode);
  return out;
}

void Cluster::ApplyLocked(std::size_t node, const EventSpec& spec, std::uint64_t count,
                          ServeMode mode) {
  Node& target = *nodes_[node];
  switch (spec.kind) {
    case EventKind::kTraffic:
      target.model.Apply(traffic_.at(spec.name), count);
      break;
    case EventKind::kRestart:
      target.model.Restart();
      break;
    case EventKind::kMetricsReset:
      target.model.ResetMetrics();
      break;
    case EventKind::kDown:
    case EventKind::kUp:
      target.mode = mode;
      if (listener_) listener_(node, mode);
      break;
    case EventKind::kHold:
      target.held_page = target.model.Render(target.spec.style);
      break;
    case EventKind::kRelease:
      target.held_page.reset();
      break;
  }
}

AppliedEvent Cluster::RecordLocked(const EventRequest& request, const EventSpec& spec,
                                   EventSource source, ServeMode mode) {
  AppliedEvent event;
  event.seq = log_.size() + 1;
  event.node = request.node;
  event.event = spec.name;
  event.count = spec.kind == EventKind::kTraffic ? request.count : 1;
  event.mode = DownModeName(mode);
  event.source = source == EventSource::kApi ? "api" : "timeline";
  event.mono_ms = detail::ToMillis(clock_.Now().time_since_epoch());
  event.unix_ms = detail::ToMillis(clock_.WallNow().time_since_epoch());
  log_.push_back(event);
  return event;
}

std::vector<AppliedEvent> Cluster::Events(std::uint64_t after_seq) const {
  std::lock_guard lock(mu_);
  if (after_seq >= log_.size()) return {};
  return std::vector<AppliedEvent>(log_.begin() + static_cast<std::ptrdiff_t>(after_seq),
                                   log_.end());
}

void Cluster::AdvanceBackground(MonoTime now) {
  std::lock_guard lock(drive_mu_);
  if (!begin_ || now < *begin_) return;
  const double elapsed_s = std::chrono::duration<double>(now - *begin_).count();
  for (auto& node : nodes_) AdvanceNodeBackground(*node, elapsed_s);
}

void Cluster::AdvanceNodeBackground(Node& node, double elapsed_s) {
  const std::array<double, 3> rates = {node.spec.background.qos0_per_s,
                                       node.spec.background.qos1_per_s,
                                       node.spec.background.qos2_per_s};
  for (std::size_t qos = 0; qos < 3; ++qos) {
    const auto due = static_cast<std::uint64_t>(std::floor(rates[qos] * elapsed_s));
    std::uint64_t& done = node.background_done[qos];
    if (due <= done) continue;
    const std::uint64_t v4 = detail::V4FlowsAmongFirst(due) - detail::V4FlowsAmongFirst(done);
    node.model.Apply(messages_[0][qos], v4);
    node.model.Apply(messages_[1][qos], due - done - v4);
    done = due;
  }
}

std::optional<MonoTime> Cluster::RunDueTimeline(MonoTime now) {
  std::lock_guard lock(drive_mu_);
  if (!begin_) return std::nullopt;
  while (next_entry_ < timeline_.size() && *begin_ + timeline_[next_entry_].at <= now) {
    const TimelineEntry& entry = timeline_[next_entry_++];
    Apply(EventRequest{entry.node, entry.event, entry.count, entry.mode}, EventSource::kTimeline);
  }
  if (next_entry_ == timeline_.size()) return std::nullopt;
  return *begin_ + timeline_[next_entry_].at;
}

std::optional<std::size_t> Cluster::FindNode(std::string_view name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->spec.name == name) return i;
  }
  return std::nullopt;
}

ServeMode Cluster::mode(std::size_t node) const {
  std::lock_guard lock(mu_);
  return nodes_[node]->mode;
}

void Cluster::SetPort(std::size_t node, int port) {
  std::lock_guard lock(mu_);
  nodes_[node]->port = port;
}

int Cluster::port(std::size_t node) const {
  std::lock_guard lock(mu_);
  return nodes_[node]->port;
}

std::string Cluster::Render(std::size_t node) const {
  {
    std::lock_guard lock(mu_);
    if (nodes_[node]->held_page) return *nodes_[node]->held_page;
  }
  return nodes_[node]->model.Render(nodes_[node]->spec.style);
}

bool Cluster::held(std::size_t node) const {
  std::lock_guard lock(mu_);
  return nodes_[node]->held_page.has_value();
}

}  // namespace vmq::sim
