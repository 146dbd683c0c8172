#include "window/target_history.h"

#include <algorithm>
#include <utility>

namespace vmq::window {
namespace {

using Ticks = MonoTime::duration;

// Length of the part of (begin, end] that lies inside (window_begin, window_end].
Ticks Overlap(MonoTime begin, MonoTime end, MonoTime window_begin, MonoTime window_end) {
  const MonoTime from = std::max(begin, window_begin);
  const MonoTime to = std::min(end, window_end);
  return to > from ? to - from : Ticks::zero();
}

}  // namespace

TargetHistory::TargetHistory(std::vector<Millis> windows, Millis max_gap) : max_gap_(max_gap) {
  for (const Millis window : windows) longest_window_ = std::max(longest_window_, window);
}

void TargetHistory::RecordSuccess(MonoTime time, std::optional<uint64_t> uptime_ms,
                                  std::span<const Observation> observations) {
  if (!AcceptTime(time)) return;
  polls_.push_back({time, true});
  const bool restart = IsRestart(uptime_ms);
  if (restart) ++stats_.restarts_detected;
  ++successful_polls_;
  for (const Observation& observation : observations) ObserveSeries(time, observation, restart);
  if (restart) ZeroSeriesMissingFrom(successful_polls_);
  last_success_ = SuccessfulPoll{time, uptime_ms};
  Prune(time);
}

void TargetHistory::RecordFailure(MonoTime time) {
  if (!AcceptTime(time)) return;
  polls_.push_back({time, false});
  Prune(time);
}

bool TargetHistory::AcceptTime(MonoTime time) {
  if (latest_record_ && time < *latest_record_) {
    ++stats_.out_of_order_records;
    return false;
  }
  latest_record_ = time;
  return true;
}

bool TargetHistory::IsRestart(std::optional<uint64_t> uptime_ms) const {
  return last_success_ && last_success_->uptime_ms && uptime_ms &&
         *uptime_ms < *last_success_->uptime_ms;
}

void TargetHistory::ObserveSeries(MonoTime time, const Observation& observation, bool restart) {
  auto it = series_.find(std::string_view(observation.series));
  uint64_t increase = 0;
  if (it == series_.end()) {
    it = series_.emplace(observation.series, SeriesState{}).first;
    // The baseline has nothing to compare with; after it, a new series was created (at 0)
    // since the previous poll.
    if (successful_polls_ > 1) increase = observation.value;
  } else {
    increase = ObservedIncrease(it->second, observation.value, restart);
  }
  SeriesState& state = it->second;
  state.last_value = observation.value;
  state.last_seen_poll = successful_polls_;
  if (increase == 0) return;
  state.increments.push_back({time, increase});
  ++stats_.stored_increments;
}

uint64_t TargetHistory::ObservedIncrease(SeriesState& state, uint64_t value, bool restart) {
  if (restart) return value;
  if (value < state.last_value) {
    ++stats_.counter_resets;
    return value;
  }
  return value - state.last_value;
}

void TargetHistory::ZeroSeriesMissingFrom(uint64_t poll) {
  for (auto& [name, state] : series_) {
    if (state.last_seen_poll != poll) state.last_value = 0;
  }
}

// Keeps what a query at `latest` or later over the longest window can still need: entries
// inside it, and poll records up to max_gap before it, since a span that starts there and
// is at most max_gap long may still reach into the window.
void TargetHistory::Prune(MonoTime latest) {
  const MonoTime cutoff = latest - longest_window_ - max_gap_;
  while (!polls_.empty() && polls_.front().time < cutoff) polls_.pop_front();
  for (auto& [name, state] : series_) {
    auto& increments = state.increments;
    while (!increments.empty() && increments.front().time < cutoff) {
      increments.pop_front();
      --stats_.stored_increments;
    }
  }
}

uint64_t TargetHistory::Increase(std::string_view series, Millis window, MonoTime now) const {
  const auto it = series_.find(series);
  if (it == series_.end()) return 0;
  const auto& increments = it->second.increments;
  const MonoTime window_begin = now - window;
  const auto first =
      std::partition_point(increments.begin(), increments.end(),
                           [window_begin](const Increment& i) { return i.time <= window_begin; });
  uint64_t sum = 0;
  for (auto i = first; i != increments.end() && i->time <= now; ++i) sum += i->amount;
  return sum;
}

double TargetHistory::Coverage(Millis window, MonoTime now) const {
  if (window <= Millis::zero()) return 0.0;
  const MonoTime window_begin = now - window;
  // Spans that start before this cannot be covered and reach into the window.
  const MonoTime scan_begin = window_begin - max_gap_;
  auto record =
      std::partition_point(polls_.begin(), polls_.end(),
                           [scan_begin](const PollRecord& p) { return p.time < scan_begin; });
  Ticks covered = Ticks::zero();
  std::optional<MonoTime> previous_success;
  bool failed_since = false;
  for (; record != polls_.end() && record->time <= now; ++record) {
    if (!record->success) {
      failed_since = true;
      continue;
    }
    if (previous_success && !failed_since && record->time - *previous_success <= max_gap_) {
      covered += Overlap(*previous_success, record->time, window_begin, now);
    }
    previous_success = record->time;
    failed_since = false;
  }
  if (previous_success && !failed_since && now - *previous_success <= max_gap_) {
    covered += Overlap(*previous_success, now, window_begin, now);
  }
  const Ticks length = std::chrono::duration_cast<Ticks>(window);
  return static_cast<double>(covered.count()) / static_cast<double>(length.count());
}

size_t TargetHistory::series_count() const { return series_.size(); }

HistoryStats TargetHistory::stats() const {
  HistoryStats stats = stats_;
  stats.stored_poll_records = polls_.size();
  return stats;
}

void TargetHistory::ForEachSeries(
    const std::function<void(const std::string& series)>& visit) const {
  for (const auto& [name, state] : series_) visit(name);
}

}  // namespace vmq::window
