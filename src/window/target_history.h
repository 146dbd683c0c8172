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
//    After a restart, though, a series missing from the page restarted at 0 like the rest,
//    so its next value counts in full.
//  - Coverage(W, now) is the fraction of (now - W, now] during which the exporter was
//    watching: the span between two consecutive successful polls is covered when no failed
//    poll lies between them and they are at most max_gap apart; the span from the last
//    successful poll to now is covered when no poll has failed since and now is within
//    max_gap of it. 1.0 exactly when the whole window is covered.
//
// Memory: one 16-byte entry per series per poll that saw it increase, plus one entry per
// poll, all dropped once older than the longest window (+ max_gap); bounded by
// (series + 1) x ((longest window + max_gap) / poll interval + 1) entries.
//
// Queries are exact for windows up to the longest one and `now` no earlier than the latest
// record; older history has been dropped. A record earlier than the latest one is ignored
// (counted in stats) so that a clock hiccup never corrupts the history.
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
  uint64_t restarts_detected = 0;     // uptime went down
  uint64_t counter_resets = 0;        // a series went down without an uptime decrease
  size_t stored_increments = 0;       // entries currently held, for memory accounting
  size_t stored_poll_records = 0;     // poll records currently held, for memory accounting
  uint64_t out_of_order_records = 0;  // records ignored for being earlier than the latest
};

namespace detail {

// Lets the series map be searched with a string_view without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace detail

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
  struct Increment {
    MonoTime time;
    uint64_t amount;
  };
  struct SeriesState {
    uint64_t last_value = 0;
    uint64_t last_seen_poll = 0;       // ordinal of the successful poll that last saw the series
    std::deque<Increment> increments;  // in time order, only non-zero amounts
  };
  struct PollRecord {
    MonoTime time;
    bool success;
  };
  struct SuccessfulPoll {
    MonoTime time;
    std::optional<uint64_t> uptime_ms;
  };
  using SeriesMap =
      std::unordered_map<std::string, SeriesState, detail::StringHash, std::equal_to<>>;

  bool AcceptTime(MonoTime time);
  bool IsRestart(std::optional<uint64_t> uptime_ms) const;
  uint64_t ObservedIncrease(SeriesState& state, uint64_t value, bool restart);
  void ObserveSeries(MonoTime time, const Observation& observation, bool restart);
  void ZeroSeriesMissingFrom(uint64_t poll);
  void Prune(MonoTime latest);

  Millis longest_window_{0};
  Millis max_gap_;
  SeriesMap series_;
  std::deque<PollRecord> polls_;  // in time order
  std::optional<MonoTime> latest_record_;
  std::optional<SuccessfulPoll> last_success_;
  uint64_t successful_polls_ = 0;
  HistoryStats stats_;
};

}  // namespace vmq::window

#endif  // VMQ_WINDOW_TARGET_HISTORY_H_
