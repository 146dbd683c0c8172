#ifndef VMQ_APP_TARGET_RUNTIME_H_
#define VMQ_APP_TARGET_RUNTIME_H_

// Everything the exporter holds for one target, and the path of one poll result through the
// stages: select (parse) -> track -> window -> evaluate -> alert state -> render the target's
// part of the page. Nothing here touches another target: each target has its own lock, held
// only while its own poll is recorded, and parsing takes none.

#include <cstddef>
#include <memory>
#include <mutex>
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
  bool last_counters_over_cap_ = false;
};

}  // namespace vmq::app

#endif  // VMQ_APP_TARGET_RUNTIME_H_
