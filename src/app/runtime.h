#ifndef VMQ_APP_RUNTIME_H_
#define VMQ_APP_RUNTIME_H_

// The running exporter's targets, owned by name, and the page they make together. It owns the
// configuration by value, so that swapping in a reloaded one has one seam: the set of
// TargetRuntimes, keyed by target name.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>

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

class Runtime {
 public:
  Runtime(config::Config config, const Clock& clock, Logger& logger, BuildInfo build);

  const config::Config& config() const { return config_; }
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
  // hold is dropped.
  void OnPollResult(const std::string& target, poll::PollResult result);

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
  void AttachStorage(const config::Target& target);

  config::Config config_;
  signals::Selector selector_;
  expose::PageLayout layout_;
  alerting::AlertPlan alerts_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<expose::PageAssembler> assembler_;
  TargetContext context_;
  std::map<std::string, std::unique_ptr<TargetRuntime>> targets_;  // by name
  std::atomic<bool> recording_{true};
  storage::StateStore* store_ = nullptr;  // --storage.path; none without it
};

}  // namespace vmq::app

#endif  // VMQ_APP_RUNTIME_H_
