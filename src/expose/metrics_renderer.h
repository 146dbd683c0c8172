#ifndef VMQ_EXPOSE_METRICS_RENDERER_H_
#define VMQ_EXPOSE_METRICS_RENDERER_H_

// Turns the state of every target into the exporter's /metrics page: the signal gauges
// (trailing-window counts), coverage and the self-metrics. Run by the poll side after each
// poll; the HTTP server only ever serves the text this produced.

#include <map>
#include <span>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "alerting/alert_state_tracker.h"
#include "common/clock.h"
#include "config/config.h"
#include "expose/target_status.h"
#include "signals/selector.h"
#include "window/target_history.h"

namespace vmq::expose {

struct TargetView {
  const TargetStatus& status;
  const window::TargetHistory& history;
  const std::map<std::string, signals::RawSeries>& series;  // every series seen, by key
  const alerting::AlertStateTracker* alerts = nullptr;      // none: no vmq_alert_state
};

struct BuildInfo {
  std::string version;
  std::string revision;
};

class MetricsRenderer {
 public:
  MetricsRenderer(const config::Config& config, BuildInfo build);

  // Window gauges of a target whose last poll failed are left out rather than shown as
  // zeros: a count that is unknown must not look like "nothing happened". Coverage and the
  // self-metrics say why.
  std::vector<prometheus::MetricFamily> Families(std::span<const TargetView> targets,
                                                 MonoTime now) const;
  std::string Render(std::span<const TargetView> targets, MonoTime now) const;

 private:
  void AddSignalFamilies(std::span<const TargetView> targets, MonoTime now,
                         std::vector<prometheus::MetricFamily>* out) const;
  void AddCoverage(std::span<const TargetView> targets, MonoTime now,
                   std::vector<prometheus::MetricFamily>* out) const;
  void AddTargetFamilies(std::span<const TargetView> targets,
                         std::vector<prometheus::MetricFamily>* out) const;
  // vmq_alert_state; like the window gauges, absent for a target that is down.
  void AddAlertStates(std::span<const TargetView> targets,
                      std::vector<prometheus::MetricFamily>* out) const;

  const config::Config& config_;
  BuildInfo build_;
};

// prometheus-cpp writes HELP text verbatim; the format requires `\` and newline escaped.
std::string EscapeHelp(const std::string& help);

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_METRICS_RENDERER_H_
