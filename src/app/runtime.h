#ifndef VMQ_APP_RUNTIME_H_
#define VMQ_APP_RUNTIME_H_

// The running exporter's targets, owned by name, and the page they make together. A loaded
// configuration and everything derived from it live in one immutable Generation; a reload
// builds a new one and moves the targets to it in one step (Reload), so that a poll result
// is recorded and rendered under exactly one configuration.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "alerting/alert_series.h"
#include "app/target_runtime.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "expose/page_assembler.h"
#include "expose/target_page.h"
#include "poll/poll_result.h"
#include "signals/selector.h"
#include "storage/state_store.h"

namespace vmq::app {

struct BuildInfo {
  std::string version;
  std::string revision;
};

// One loaded configuration and what every target of it shares. Never changed once built;
// targets hold it (through TargetContext) as long as a poll of theirs may use it.
struct Generation {
  Generation(config::Config loaded, const Clock& clock, Logger& logger);
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  const config::Config config;
  const signals::Selector selector;
  const expose::PageLayout layout;
  const alerting::AlertPlan alerts;
  const TargetContext context;  // refers to the members above
};

// What a reload changed that the scheduler must follow.
struct ReloadChanges {
  std::vector<config::Target> started;  // new targets, and targets whose URL changed
  std::vector<std::string> stopped;     // targets no longer configured
  std::vector<config::Target> refetch;  // kept, but fetched differently (timeout, TLS, auth)
  config::PollSettings poll;            // of the new configuration
  bool interval_changed = false;
};

class Runtime {
 public:
  Runtime(config::Config config, const Clock& clock, Logger& logger, BuildInfo build);

  // The configuration in force; a reload replaces it.
  std::shared_ptr<const config::Config> config() const;
  // What the HTTP server serves; never waits on a poll.
  const expose::SnapshotSource& page() const { return *assembler_; }
  // The exporter's own instrumentation, serialised at the end of the page.
  prometheus::Registry& registry() { return *registry_; }
  // Runs before the registry is serialised for a page, one call at a time: for families that
  // mirror state read on demand. May be added while serving.
  void OnAssemble(std::function<void()> refresh) { assembler_->OnAssemble(std::move(refresh)); }
  // The HTTP server's own families, put on the page by the assembler.
  void SetServerMetrics(std::function<std::string()> render) {
    assembler_->SetServerMetrics(std::move(render));
  }

  // Thread-safe and never throws; results of different targets run in parallel. Results of
  // one target must come one at a time, in order (the scheduler's guarantee): the part is
  // published after the target's lock is let go. A result for a target the runtime does not
  // hold is dropped, and so is a part rendered under a configuration a reload has replaced.
  void OnPollResult(const std::string& target, poll::PollResult result);

  // Swaps in `next`, already loaded and validated (config::LoadFile). Targets keeping their
  // name and URL keep their history, counters and alert state, re-windowed and re-evaluated
  // under the new windows, signals and thresholds; new ones start empty; removed ones leave
  // the page. The page switches in one step. Sets the reload metrics. One reload at a time;
  // thread-safe against polls. Returns what the scheduler must change.
  ReloadChanges Reload(config::Config next);
  // A reload whose configuration could not be loaded: vmq_exporter_config_last_reload_successful
  // goes to 0, the timestamp of the last success stays.
  void ReloadFailed();

  // --storage.path. Restores every target's saved state (a refused one is logged and counted,
  // and the target starts empty), then journals every poll from now on. Call once, before
  // polling starts; `store` must outlive the runtime's polls.
  void UseStorage(storage::StateStore& store);
  // Queues a snapshot of every target (on SIGTERM, after the last poll result).
  void SaveAll();
  // From now on results are dropped: the polls that shutdown cuts end as failures that did
  // not happen upstream, and must not reach the history (nor a state file).
  void StopRecording() { recording_ = false; }

 private:
  // --storage.path: restores the target's saved state, if any, and journals its polls from
  // now on. A target a reload adds goes through here too; one it keeps keeps its writer.
  void AttachStorage(const config::Target& target, TargetRuntime& runtime);
  std::shared_ptr<const TargetContext> ContextOf(const std::shared_ptr<const Generation>& gen);

  const Clock& clock_;
  Logger& logger_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<expose::PageAssembler> assembler_;
  prometheus::Gauge& reload_successful_;
  prometheus::Gauge& reload_success_time_;

  std::mutex reload_mu_;  // one reload at a time

  mutable std::mutex mu_;  // guards generation_ and the map targets_ (not the targets)
  std::shared_ptr<const Generation> generation_;
  std::map<std::string, std::shared_ptr<TargetRuntime>> targets_;  // by name

  // Taken shared to publish a part, exclusively to swap the page to a new configuration.
  std::shared_mutex publish_mu_;
  std::shared_ptr<const TargetContext> published_context_;  // guarded by publish_mu_

  std::atomic<bool> recording_{true};
  storage::StateStore* store_ = nullptr;  // --storage.path; none without it; set before polling
};

}  // namespace vmq::app

#endif  // VMQ_APP_RUNTIME_H_
