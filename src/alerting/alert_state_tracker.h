#ifndef VMQ_ALERTING_ALERT_STATE_TRACKER_H_
#define VMQ_ALERTING_ALERT_STATE_TRACKER_H_

// The alert levels of one target, kept between polls because the hysteresis depends on the
// previous level. The pipeline owns one per target and serialises access.

#include <map>
#include <span>
#include <string>
#include <vector>

#include "alerting/alert_level.h"
#include "alerting/alert_series.h"
#include "config/config.h"

namespace vmq::alerting {

struct AlertSeriesState {
  std::string alert;
  AlertSeries series;
  AlertLevel level = AlertLevel::kOk;
};

class AlertStateTracker {
 public:
  // `rules` must outlive the tracker (they belong to the loaded config).
  explicit AlertStateTracker(const std::vector<config::AlertRule>& rules);

  // After a successful poll; counts[i] are rules[i]'s counts (CountAlertSignals), and
  // `window_covered` whether polls cover the whole alert window (the counts are exact then,
  // lower bounds otherwise; see alert_level.h). A series absent from its counts is
  // forgotten, as Prometheus forgets a series that vanished.
  void Evaluate(std::span<const SeriesCounts> counts, bool window_covered);
  // After a failed poll. The window gauges vanish from the exporter's page while a target is
  // down, which resolves the Prometheus alerts; the exporter-side state does the same, so
  // that after recovery both must be raised anew, by a count above raise_above.
  void Reset();

  // After a reload: takes the levels `previous` holds for every rule of the same alert name,
  // so that a changed threshold applies to the level reached rather than starting from ok.
  // Levels of rules no longer configured are dropped.
  void AdoptLevels(const AlertStateTracker& previous);

  // Rules in config order, series in label order.
  std::vector<AlertSeriesState> States() const;
  // Replaces the levels with saved ones (States() of an earlier run, for --storage.path).
  // States of an alert the rules no longer have are dropped.
  void Restore(std::span<const AlertSeriesState> states);

 private:
  const std::vector<config::AlertRule>& rules_;
  std::vector<std::map<AlertSeries, AlertLevel>> levels_;  // per rule
};

}  // namespace vmq::alerting

#endif  // VMQ_ALERTING_ALERT_STATE_TRACKER_H_
