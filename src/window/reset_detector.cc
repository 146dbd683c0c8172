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

struct Indexed {
  uint64_t id;
  uint64_t value;
  size_t index;  // in the page
};

// The counters of a page sorted by identity, without those whose identity is seen more than
// once (which value is right is unknown); `ambiguous` counts the latter.
std::vector<Indexed> UniqueById(std::span<const CounterReading> page, size_t* ambiguous) {
  std::vector<Indexed> sorted;
  sorted.reserve(page.size());
  for (size_t i = 0; i < page.size(); ++i) sorted.push_back({page[i].id, page[i].value, i});
  std::sort(sorted.begin(), sorted.end(),
            [](const Indexed& a, const Indexed& b) { return a.id < b.id; });
  size_t out = 0;
  *ambiguous = 0;
  for (size_t i = 0; i < sorted.size();) {
    size_t end = i + 1;
    while (end < sorted.size() && sorted[end].id == sorted[i].id) ++end;
    if (end - i == 1) {
      sorted[out++] = sorted[i];
    } else {
      *ambiguous += end - i;
    }
    i = end;
  }
  sorted.resize(out);
  return sorted;
}

bool SameIds(std::span<const CounterReading> a, std::span<const CounterReading> b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](const CounterReading& x, const CounterReading& y) { return x.id == y.id; });
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

ResetDetector::Decreases ResetDetector::Compare(std::span<const CounterReading> page) {
  // The same series in the same order as a page without ambiguous ones: none here either.
  if (previous_ambiguous_ == 0 && SameIds(page, previous_)) {
    stats_.ambiguous = 0;
    return CompareInOrder(page);
  }
  return CompareById(page);
}

ResetDetector::Decreases ResetDetector::CompareInOrder(std::span<const CounterReading> page) const {
  Decreases decreases;
  for (size_t i = 0; i < page.size(); ++i) {
    if (page[i].value >= previous_[i].value) continue;
    if (decreases.count++ == 0) {
      decreases.first = i;
      decreases.old_value = previous_[i].value;
    }
  }
  return decreases;
}

ResetDetector::Decreases ResetDetector::CompareById(std::span<const CounterReading> page) {
  const std::vector<Indexed> current = UniqueById(page, &stats_.ambiguous);
  size_t ignored = 0;
  const std::vector<Indexed> previous = UniqueById(previous_, &ignored);
  Decreases decreases;
  auto before = previous.begin();
  for (const Indexed& counter : current) {
    while (before != previous.end() && before->id < counter.id) ++before;
    if (before == previous.end()) break;
    if (before->id != counter.id || counter.value >= before->value) continue;
    if (decreases.count++ == 0 || counter.index < decreases.first) {
      decreases.first = counter.index;
      decreases.old_value = before->value;
    }
  }
  return decreases;
}

ResetCheck ResetDetector::Observe(std::optional<uint64_t> uptime_ms,
                                  std::span<const CounterReading> counters, const NameOf& name_of) {
  const std::span<const CounterReading> page =
      counters.first(std::min(counters.size(), kMaxCounters));
  stats_.over_cap = counters.size() - page.size();
  const Decreases decreases = Compare(page);
  ResetCheck check;
  if (has_baseline_) {
    check.decreased = decreases.count;
    if (previous_uptime_ && uptime_ms && *uptime_ms < *previous_uptime_) {
      check.verdict = ResetVerdict::kRestart;
      check.evidence = "system_wallclock " + Change(*previous_uptime_, *uptime_ms) + " ms";
    } else if (decreases.count > 0) {
      check.verdict = ResetVerdict::kMetricsReset;
      check.evidence = CounterEvidence(name_of(decreases.first), decreases.old_value,
                                       page[decreases.first].value, decreases.count);
      if (!uptime_ms || !previous_uptime_) {
        check.evidence += "; no system_wallclock on both pages to tell a restart";
      }
    }
  }
  has_baseline_ = true;
  previous_uptime_ = uptime_ms;
  previous_.assign(page.begin(), page.end());
  previous_ambiguous_ = stats_.ambiguous;
  stats_.counters_held = page.size() - stats_.ambiguous;
  return check;
}

std::optional<ResetBaseline> ResetDetector::Baseline() const {
  if (!has_baseline_) return std::nullopt;
  return ResetBaseline{previous_uptime_, previous_};
}

void ResetDetector::Adopt(const ResetBaseline& baseline) {
  const std::span<const CounterReading> page =
      std::span(baseline.counters).first(std::min(baseline.counters.size(), kMaxCounters));
  has_baseline_ = true;
  previous_uptime_ = baseline.uptime_ms;
  previous_.assign(page.begin(), page.end());
  UniqueById(previous_, &previous_ambiguous_);
  stats_ = {page.size() - previous_ambiguous_, baseline.counters.size() - page.size(),
            previous_ambiguous_};
}

}  // namespace vmq::window
