#include "app/scheduler_metrics.h"

#include <memory>

namespace vmq::app {
namespace {

prometheus::Counter& NewCounter(prometheus::Registry& registry, const char* name,
                                const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Gauge& NewGauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

SchedulerMetrics::SchedulerMetrics(const poll::Scheduler& scheduler, prometheus::Registry& registry)
    : scheduler_(scheduler),
      started_(NewCounter(registry, "vmq_exporter_polls_started_total",
                          "Polls the scheduler started, of every target.")),
      skipped_(NewCounter(registry, "vmq_exporter_poll_slots_skipped_total",
                          "Scheduled polls not started because the target's previous poll "
                          "(fetch and processing) had not finished.")),
      in_flight_(NewGauge(registry, "vmq_exporter_polls_in_flight",
                          "Polls started whose result has not been processed yet.")),
      queued_(NewGauge(registry, "vmq_exporter_poll_results_queued",
                       "Poll results waiting for a worker thread.")) {}

void SchedulerMetrics::Refresh() {
  const poll::SchedulerStats stats = scheduler_.stats();
  if (stats.polls_started > started_seen_) {
    started_.Increment(static_cast<double>(stats.polls_started - started_seen_));
  }
  if (stats.polls_skipped > skipped_seen_) {
    skipped_.Increment(static_cast<double>(stats.polls_skipped - skipped_seen_));
  }
  started_seen_ = stats.polls_started;
  skipped_seen_ = stats.polls_skipped;
  in_flight_.Set(static_cast<double>(stats.in_flight));
  queued_.Set(static_cast<double>(stats.queued_results));
}

void RegisterSchedulerMetrics(const poll::Scheduler& scheduler, Runtime& runtime) {
  auto metrics = std::make_shared<SchedulerMetrics>(scheduler, runtime.registry());
  runtime.OnAssemble([metrics] { metrics->Refresh(); });
}

}  // namespace vmq::app
