#ifndef VMQ_APP_TARGET_RUNTIME_H_
#define VMQ_APP_TARGET_RUNTIME_H_

// Everything the exporter holds for one target, and the path of one poll result through the
// stages: select (parse) -> track -> window -> evaluate -> alert state -> render the target's
// part of the page. Nothing here touches another target: each target has its own lock, held
// only while its own poll is recorded, and parsing takes none.

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "alerting/alert_series.h"
#include "alerting/alert_state_tracker.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "evaluate/target_evaluator.h"
#include "expose/target_page.h"
#include "expose/target_status.h"
#include "poll/poll_result.h"
#include "signals/selector.h"
#include "storage/state_store.h"
#include "window/reset_detector.h"
#include "window/target_history.h"

namespace vmq::app {

// What every target of one configuration shares; immutable. The Runtime holds one per
// loaded configuration (runtime.h, Generation) and each target holds the one it runs under, so
// that a reload swaps a target's whole world at once and the previous one lives until no poll
// uses it.
struct TargetContext {
  const config::Config& config;
  const signals::Selector& selector;
  const expose::PageLayout& layout;
  const alerting::AlertPlan& alerts;
  const Clock& clock;
  Logger& logger;
};

class TargetRuntime {
 public:
  // A hostile page could invent new label values on every poll; past this many series a
  // target's new series are counted as dropped instead of growing memory without bound.
  static constexpr size_t kMaxSeriesPerTarget = 10000;

  // `context` must outlive the target (tests); the Runtime uses the shared form.
  TargetRuntime(const config::Target& target, const TargetContext& context);
  TargetRuntime(const config::Target& target, std::shared_ptr<const TargetContext> context);

  const std::string& name() const { return name_; }

  // Thread-safe; never throws. Returns the target's part of the page after this poll.
  std::shared_ptr<const expose::TargetPage> OnPollResult(poll::PollResult result);
  // The part as it stands, e.g. before the first poll.
  std::shared_ptr<const expose::TargetPage> Render();

  // A part and the context it was rendered under: a part of a context the page no longer
  // uses must not be published (its families are another configuration's).
  struct Rendered {
    std::shared_ptr<const expose::TargetPage> page;
    std::shared_ptr<const TargetContext> context;
  };
  // OnPollResult, also saying under which context.
  Rendered Process(poll::PollResult result);

  // Reload. The caller takes the lock of every target it moves, moves each, and swaps the
  // page while it holds them all, so no poll is recorded under one configuration and
  // rendered under the other. `target` has this target's name and URL. What the target has
  // seen is kept: the history is re-windowed (TargetHistory::FromImage) when the windows or
  // the max gap change, the evaluator tracks the same raw series under the new signals, and
  // the alert levels of rules whose alert name stays are kept. Returns the part under
  // `context`.
  [[nodiscard]] std::unique_lock<std::mutex> LockForReload() { return std::unique_lock(mu_); }
  std::shared_ptr<const expose::TargetPage> Reconfigure(
      const config::Target& target, std::shared_ptr<const TargetContext> context,
      const std::unique_lock<std::mutex>& held);

  // --storage.path. Restores the state an earlier run saved: the history, rebuilt for this
  // configuration's windows and max gap, then the polls journaled after it, and the alert
  // levels. The series are tracked again by the next poll, which counts them from their last
  // value. Call before the first poll; false with `error` (and nothing changed) when the saved
  // history is inconsistent.
  bool Restore(const storage::LoadedState& saved, std::string* error);
  // From now on every poll is journaled through `writer`, and a snapshot is queued whenever
  // it asks for one; the first is queued now.
  void Persist(std::shared_ptr<storage::TargetWriter> writer);
  // Queues a snapshot of the state as it stands (on SIGTERM, with durable = false: the store
  // syncs the file system once for every target).
  void SaveSnapshot(bool durable);

 private:
  void RecordFailure(const poll::PollResult& result);
  void RecordSuccess(const poll::PollResult& result, signals::SelectedPage page);
  // The page's series that the target may hold (known ones, new ones within both caps).
  std::vector<window::Observation> TrackSeries(signals::SelectedPage& page);
  void LogPageProblems(const signals::SelectedPage& page, size_t dropped);
  // Judges the page against the previous one (window/reset_detector.h), counts and logs a
  // restart or metrics reset; returns whether the node's counters started again from zero.
  bool DetectReset(const signals::SelectedPage& page);
  // Evaluates the windows at `now`, updates the alert state and renders. Called with mu_ held.
  std::shared_ptr<const expose::TargetPage> EvaluateAndRender(MonoTime now, bool up);
  // --storage.path: journals the poll just recorded. Called with mu_ held.
  void Journal(const poll::PollResult& result, bool success);
  storage::TargetState StateLocked() const;

  std::shared_ptr<const TargetContext> CurrentContext();

  const std::string name_;

  std::mutex mu_;                                 // guards everything below
  std::shared_ptr<const TargetContext> context_;  // replaced by Reconfigure
  expose::TargetStatus status_;
  window::TargetHistory history_;
  window::ResetDetector resets_;
  std::optional<evaluate::TargetEvaluator> evaluator_;  // always set; re-made by Reconfigure
  std::unordered_set<std::string> tracked_;             // keys of the series in the history
  size_t series_bytes_ = 0;  // held for `tracked_`, counted against poll.max_series_bytes
  std::optional<alerting::AlertStateTracker> alerts_;  // always set; re-made by Reconfigure
  // So that a page that stays broken is logged once, not every poll.
  size_t last_bad_lines_ = 0;
  size_t last_duplicates_ = 0;
  bool last_dropped_ = false;
  // --storage.path: where polls are journaled (none without the flag), the sequence number
  // of the latest poll, and what the history was given by the poll being recorded.
  std::shared_ptr<storage::TargetWriter> writer_;
  uint64_t sequence_ = 0;
  std::vector<window::Observation> journal_observations_;
  std::optional<uint64_t> journal_uptime_;
  bool journal_counters_reset_ = false;
  bool last_counters_over_cap_ = false;
};

}  // namespace vmq::app

#endif  // VMQ_APP_TARGET_RUNTIME_H_
