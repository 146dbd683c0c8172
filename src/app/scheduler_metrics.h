#ifndef VMQ_APP_SCHEDULER_METRICS_H_
#define VMQ_APP_SCHEDULER_METRICS_H_

// The scheduler's own state as vmq_exporter_* families of the runtime's registry, read from
// Scheduler::stats() each time the page is assembled (the poll stage knows no Prometheus).

#include <cstdint>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "app/runtime.h"
#include "poll/scheduler.h"

namespace vmq::app {

class SchedulerMetrics {
 public:
  SchedulerMetrics(const poll::Scheduler& scheduler, prometheus::Registry& registry);
  // Brings the families up to the scheduler's stats. Called by one thread at a time.
  void Refresh();

 private:
  const poll::Scheduler& scheduler_;
  prometheus::Counter& started_;
  prometheus::Counter& skipped_;
  prometheus::Gauge& in_flight_;
  prometheus::Gauge& queued_;
  uint64_t started_seen_ = 0;
  uint64_t skipped_seen_ = 0;
};

// Registers the families with the runtime's registry and has the runtime refresh them before
// every page assembly. `scheduler` must outlive the runtime's serving of pages.
void RegisterSchedulerMetrics(const poll::Scheduler& scheduler, Runtime& runtime);

}  // namespace vmq::app

#endif  // VMQ_APP_SCHEDULER_METRICS_H_
