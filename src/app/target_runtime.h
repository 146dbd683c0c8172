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

// What every target of one configuration shares; immutable, owned by the Runtime.
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

  TargetRuntime(const config::Target& target, const TargetContext& context);

  const std::string& name() const { return name_; }

  // Thread-safe; never throws. Returns the target's part of the page after this poll.
  std::shared_ptr<const expose::TargetPage> OnPollResult(poll::PollResult result);
  // The part as it stands, e.g. before the first poll.
  std::shared_ptr<const expose::TargetPage> Render();

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

  const TargetContext& context_;
  const std::string name_;

  std::mutex mu_;  // guards everything below
  expose::TargetStatus status_;
  window::TargetHistory history_;
  window::ResetDetector resets_;
  evaluate::TargetEvaluator evaluator_;
  std::unordered_set<std::string> tracked_;  // keys of the series in the history
  size_t series_bytes_ = 0;  // held for `tracked_`, counted against poll.max_series_bytes
  alerting::AlertStateTracker alerts_;
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
