#ifndef VMQ_MAIN_PIPELINE_H_
#define VMQ_MAIN_PIPELINE_H_

// Wiring of the stages for every poll result: select -> window -> render -> publish.
// Called on the targets' poll threads; the HTTP server only reads what Publish() stored.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alerting/alert_state_tracker.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "expose/metrics_renderer.h"
#include "expose/snapshot.h"
#include "poll/poll_result.h"
#include "signals/selector.h"
#include "window/target_history.h"

namespace vmq {

class Pipeline {
 public:
  // A hostile page could invent new label values on every poll; past this many series a
  // target's new series are counted as dropped instead of growing memory without bound.
  static constexpr size_t kMaxSeriesPerTarget = 10000;

  Pipeline(const config::Config& config, const Clock& clock, Logger& logger,
           expose::SnapshotStore& store, expose::BuildInfo build);

  // Thread-safe; never throws.
  void OnPollResult(size_t target_index, poll::PollResult result);
  // Renders the current state into a new snapshot (also used once before the first poll).
  void Publish();

 private:
  struct TargetState {
    TargetState(const config::Target& target, const config::Config& config);
    expose::TargetStatus status;
    window::TargetHistory history;
    std::map<std::string, signals::RawSeries> series;
    alerting::AlertStateTracker alerts;  // evaluated after every poll
    size_t last_bad_lines = 0;  // so a page that stays broken is logged once, not every poll
  };

  void RecordFailure(TargetState& state, const poll::PollResult& result);
  void RecordSuccess(TargetState& state, const poll::PollResult& result,
                     signals::SelectedPage page);
  void EvaluateAlerts(TargetState& state, MonoTime now);
  // `now` is also the time the alerts were evaluated at, so that vmq_alert_state and the
  // window gauges on the same page agree.
  void PublishLocked(MonoTime now);

  const config::Config& config_;
  const Clock& clock_;
  Logger& logger_;
  expose::SnapshotStore& store_;
  signals::Selector selector_;
  expose::MetricsRenderer renderer_;
  std::mutex mu_;
  std::vector<std::unique_ptr<TargetState>> targets_;
};

}  // namespace vmq

#endif  // VMQ_MAIN_PIPELINE_H_
