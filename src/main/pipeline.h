#ifndef VMQ_MAIN_PIPELINE_H_
#define VMQ_MAIN_PIPELINE_H_

// Wiring of the stages for every poll result: select -> window -> render -> publish.
// Called on the targets' poll threads; the HTTP server only reads what Publish() stored.
//
// Locking: parsing and selecting a page take no lock. Each target's state has its own mutex,
// held by its poll thread while recording a poll and by the publisher while rendering. Only
// one thread renders at a time; a poll that finishes meanwhile leaves the publishing to it
// instead of waiting, so a target with a large page never holds up the polls of the others.

#include <atomic>
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
    std::mutex mu;  // guards everything below
    expose::TargetStatus status;
    window::TargetHistory history;
    std::map<std::string, signals::RawSeries> series;
    size_t series_bytes = 0;  // retained by `series`, counted against poll.max_series_bytes
    alerting::AlertStateTracker alerts;  // evaluated after every poll
    // So that a page that stays broken is logged once, not every poll.
    size_t last_bad_lines = 0;
    size_t last_duplicates = 0;
    bool last_dropped = false;
  };

  void RecordFailure(TargetState& state, const poll::PollResult& result);
  void RecordSuccess(TargetState& state, const poll::PollResult& result,
                     signals::SelectedPage page);
  // The page's series that the target may hold (known ones, new ones within both caps).
  std::vector<window::Observation> TrackSeries(TargetState& state, signals::SelectedPage& page);
  void LogPageProblems(TargetState& state, const signals::SelectedPage& page, size_t dropped);
  void EvaluateAlerts(TargetState& state, MonoTime now);
  // Renders every target under its own lock, then stores the snapshot. Called with
  // publish_mu_ held.
  void PublishOnce();

  const config::Config& config_;
  const Clock& clock_;
  Logger& logger_;
  expose::SnapshotStore& store_;
  signals::Selector selector_;
  expose::MetricsRenderer renderer_;
  std::vector<std::unique_ptr<TargetState>> targets_;
  std::mutex publish_mu_;  // one renderer at a time
  std::atomic<bool> publish_requested_{false};
};

}  // namespace vmq

#endif  // VMQ_MAIN_PIPELINE_H_
