#ifndef VMQ_WINDOW_TARGET_HISTORY_H_
#define VMQ_WINDOW_TARGET_HISTORY_H_

// The window engine: exact trailing-window increases of the raw counters of one target (one
// VerneMQ node), with counter-reset handling and coverage. It knows nothing of HTTP or of
// the text format; time is passed in, so the math is tested without sleeping.
//
// Semantics (docs/metrics.md explains them to users):
//  - An increase is attributed to the poll that observed it. Increase(series, W, now) is the
//    sum of the increases observed by successful polls at times t with now - W < t <= now.
//    Integers only, never negative, no extrapolation.
//  - The first successful poll of a target is a baseline: it observes no increase.
//  - A value below the previous one is a counter reset (node restart, `vmq-admin metrics
//    reset`): the increase is the new value.
//  - When the node's uptime (VerneMQ's system_wallclock, ms since node start) goes down, the
//    node restarted: every series of the target counts its new value as the increase, even
//    one that grew past its old value between the two polls.
//  - A series first seen after the baseline was created since the previous poll: its value
//    is its increase (VerneMQ creates such series at 0).
//  - A series missing from a successful page keeps its last value; nothing is attributed.
//  - Coverage(W, now) is the fraction of (now - W, now] during which the exporter was
//    watching: the span between two consecutive successful polls is covered when no failed
//    poll lies between them and they are at most max_gap apart; the span from the last
//    successful poll to now is covered when no poll has failed since and now is within
//    max_gap of it. 1.0 exactly when the whole window is covered.
//
// Memory: one 16-byte entry per series per poll that saw it increase, plus one entry per
// poll, all dropped once older than the longest window (+ max_gap); bounded by
// (series + 1) x (longest window / poll interval + 1) entries.
//
// Not thread-safe; the owner serialises access.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace vmq::window {

struct Observation {
  std::string series;  // stable key of one raw series of the target (name + labels)
  uint64_t value = 0;
};

struct HistoryStats {
  uint64_t restarts_detected = 0;  // uptime went down
  uint64_t counter_resets = 0;     // a series went down without an uptime decrease
  size_t stored_increments = 0;    // entries currently held, for memory accounting
};

class TargetHistory {
 public:
  // `windows` are every length that will be queried; the longest bounds memory.
  TargetHistory(std::vector<Millis> windows, Millis max_gap);

  void RecordSuccess(MonoTime time, std::optional<uint64_t> uptime_ms,
                     std::span<const Observation> observations);
  void RecordFailure(MonoTime time);

  // 0 for an unknown series.
  uint64_t Increase(std::string_view series, Millis window, MonoTime now) const;
  double Coverage(Millis window, MonoTime now) const;

  size_t series_count() const;
  HistoryStats stats() const;
  // Visits every series seen so far, in no particular order.
  void ForEachSeries(const std::function<void(const std::string& series)>& visit) const;

 private:
  // (see target_history.cc)
};

}  // namespace vmq::window

#endif  // VMQ_WINDOW_TARGET_HISTORY_H_
