#ifndef VMQ_WINDOW_RESET_DETECTOR_H_
#define VMQ_WINDOW_RESET_DETECTOR_H_

// Node-wide reset detection: whether the counters of a node started again from zero between
// two successful polls, judged on every counter of the page rather than series by series.
//
// `vmq-admin metrics reset` zeroes every VerneMQ counter while system_wallclock keeps
// running. A tracked series that gets more events after the reset than it held before (3,
// reset, 5 more) reads 3 -> 5 and alone looks like an increase of 2; the other counters of
// the node went down in that same poll. So:
//  - restart: system_wallclock went down (both pages have it);
//  - metrics_reset: otherwise, some counter went down. That includes pages without a usable
//    system_wallclock (a namespace that drops it, a page that repeats it): a restart there
//    is told apart from a metrics reset by nothing, and both mean the same for the counts.
//  - none: neither. The first page is a baseline and is always none.
// Either reset means every tracked series of the node counts its new value.
//
// One decreasing counter is enough, on purpose: VerneMQ counters never go down otherwise.
// The price is that a broken or hostile page whose counter flaps (10, 9, 10, 9, ...) makes
// every poll that sees it go down a reset, in which every tracked series counts its whole
// value. That is not hidden: each one is logged with the counter that went down and counted
// in vmq_target_resets_total{cause="metrics_reset"} (docs/metrics.md).
//
// A counter is compared with its value on the previous successful page only; one missing
// from a page is forgotten. Two samples with one identity on a page (a duplicate series)
// are ambiguous and not compared. Memory: the previous page's identities and values, 16 bytes
// per counter, at most kMaxCounters counters, the first ones in page order (64 KB at the cap,
// ~5 KB for a real page); those beyond are not compared and are counted.
//
// Cost: a page with the same series in the same order as the previous one (every page of a
// VerneMQ node but the few where a series appears or goes) is compared position by position,
// O(n) with no allocation; any other page is sorted by identity and merged, O(n log n).
//
// Plain state, not thread-safe: one per target, used under the target's lock.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmq::window {

enum class ResetVerdict { kNone, kRestart, kMetricsReset };

// "none", "restart", "metrics_reset": the `cause` label of vmq_target_resets_total.
std::string_view ToString(ResetVerdict verdict);

// One counter sample of a page: a stable identity of its series and its value.
struct CounterReading {
  uint64_t id = 0;
  uint64_t value = 0;
};

struct ResetCheck {
  ResetVerdict verdict = ResetVerdict::kNone;
  // What gave it away, for the log: "system_wallclock 81234 -> 1520 ms" or
  // "vernemq_socket_open{node=\"...\"} 40 -> 3, and 57 more counters went down". Empty for
  // none.
  std::string evidence;
  size_t decreased = 0;  // counters that went down
};

struct ResetDetectorStats {
  size_t counters_held = 0;  // counters of the latest page kept for the next comparison
  size_t over_cap = 0;       // counters of the latest page beyond kMaxCounters, not compared
  size_t ambiguous = 0;      // counters of the latest page that share their identity
};

// The page a detector compares the next one with, as plain values: carried across a restart
// of the exporter (--storage.path). Counters only grow between resets, so a baseline older
// than the latest page still tells a reset after it; one with a reset after it does not.
struct ResetBaseline {
  std::optional<uint64_t> uptime_ms;
  std::vector<CounterReading> counters;  // in page order
};

class ResetDetector {
 public:
  // A VerneMQ 2.1.2 page has about 300 counter samples (with every MQTT 5 reason code).
  static constexpr size_t kMaxCounters = 4096;

  // Names the counter at an index of `counters` for the evidence; called at most once a page.
  using NameOf = std::function<std::string(size_t index)>;

  // Judges one successful page against the previous one and keeps it for the next.
  ResetCheck Observe(std::optional<uint64_t> uptime_ms, std::span<const CounterReading> counters,
                     const NameOf& name_of);

  const ResetDetectorStats& stats() const { return stats_; }

  // The previous page; nullopt before the first one.
  std::optional<ResetBaseline> Baseline() const;
  // Makes `baseline` the previous page, as if it had been observed (its first kMaxCounters
  // counters).
  void Adopt(const ResetBaseline& baseline);

 private:
  struct Decreases {
    size_t count = 0;
    size_t first = 0;  // index in the page of the first counter that went down
    uint64_t old_value = 0;
  };

  // Compares `page` with previous_ and sets stats_.ambiguous for `page`.
  Decreases Compare(std::span<const CounterReading> page);
  Decreases CompareInOrder(std::span<const CounterReading> page) const;
  Decreases CompareById(std::span<const CounterReading> page);

  bool has_baseline_ = false;
  std::optional<uint64_t> previous_uptime_;
  std::vector<CounterReading> previous_;  // the previous page, in page order, capped
  size_t previous_ambiguous_ = 0;
  ResetDetectorStats stats_;
};

}  // namespace vmq::window

#endif  // VMQ_WINDOW_RESET_DETECTOR_H_
