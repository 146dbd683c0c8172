#include "window/reset_detector.h"

#include <algorithm>

namespace vmq::window {
namespace {

std::string Change(uint64_t from, uint64_t to) {
  return std::to_string(from) + " -> " + std::to_string(to);
}

std::string CounterEvidence(const std::string& name, uint64_t from, uint64_t to, size_t count) {
  std::string evidence = name + " " + Change(from, to);
  if (count > 1) {
    evidence += ", and " + std::to_string(count - 1) + " more counter";
    evidence += count > 2 ? "s went down" : " went down";
  }
  return evidence;
}

}  // namespace

std::string_view ToString(ResetVerdict verdict) {
  switch (verdict) {
    case ResetVerdict::kRestart:
      return "restart";
    case ResetVerdict::kMetricsReset:
      return "metrics_reset";
    case ResetVerdict::kNone:
      break;
  }
  return "none";
}

void ResetDetector::Collect(std::span<const CounterReading> counters) {
  const size_t kept = std::min(counters.size(), kMaxCounters);
  stats_.over_cap = counters.size() - kept;
  current_.clear();
  current_.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    current_.push_back({counters[i].id, counters[i].value, static_cast<uint32_t>(i)});
  }
  std::sort(current_.begin(), current_.end(),
            [](const Held& a, const Held& b) { return a.id < b.id; });
  // Every sample of an identity seen more than once goes: which value is right is unknown.
  size_t out = 0;
  stats_.ambiguous = 0;
  for (size_t i = 0; i < current_.size();) {
    size_t end = i + 1;
    while (end < current_.size() && current_[end].id == current_[i].id) ++end;
    if (end - i == 1) {
      current_[out++] = current_[i];
    } else {
      stats_.ambiguous += end - i;
    }
    i = end;
  }
  current_.resize(out);
}

ResetDetector::Decreases ResetDetector::CompareWithPrevious() const {
  Decreases decreases;
  auto previous = previous_.begin();
  for (const Held& held : current_) {
    while (previous != previous_.end() && previous->id < held.id) ++previous;
    if (previous == previous_.end()) break;
    if (previous->id != held.id || held.value >= previous->value) continue;
    ++decreases.count;
    if (decreases.first == nullptr || held.index < decreases.first->index) {
      decreases.first = &held;
      decreases.old_value = previous->value;
    }
  }
  return decreases;
}

ResetCheck ResetDetector::Observe(std::optional<uint64_t> uptime_ms,
                                  std::span<const CounterReading> counters, const NameOf& name_of) {
  Collect(counters);
  ResetCheck check;
  if (has_baseline_) {
    const Decreases decreases = CompareWithPrevious();
    check.decreased = decreases.count;
    if (previous_uptime_ && uptime_ms && *uptime_ms < *previous_uptime_) {
      check.verdict = ResetVerdict::kRestart;
      check.evidence = "system_wallclock " + Change(*previous_uptime_, *uptime_ms) + " ms";
    } else if (decreases.first != nullptr) {
      check.verdict = ResetVerdict::kMetricsReset;
      check.evidence = CounterEvidence(name_of(decreases.first->index), decreases.old_value,
                                       decreases.first->value, decreases.count);
      if (!uptime_ms || !previous_uptime_) {
        check.evidence += "; no system_wallclock on both pages to tell a restart";
      }
    }
  }
  has_baseline_ = true;
  previous_uptime_ = uptime_ms;
  previous_.clear();
  for (const Held& held : current_) previous_.push_back({held.id, held.value});
  stats_.counters_held = previous_.size();
  return check;
}

}  // namespace vmq::window
