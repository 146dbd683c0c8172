#ifndef VMQ_EXPOSE_TARGET_PAGE_H_
#define VMQ_EXPOSE_TARGET_PAGE_H_

// One target's part of the exporter's /metrics page, rendered once after each poll of that
// target and never again: a scrape only concatenates the latest parts (page_assembler.h), so
// a poll costs the same whether the exporter watches one node or a thousand.
//
// The page's families come in a fixed order (PageLayout); a part holds, per family, the
// sample lines of this target only. Window gauges of a target whose last poll failed are left
// out rather than shown as zeros: a count that is unknown must not look like "nothing
// happened". Coverage and the vmq_target_* families say why.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "alerting/alert_state_tracker.h"
#include "config/config.h"
#include "evaluate/values.h"
#include "expose/target_status.h"
#include "expose/text_format.h"
#include "window/target_history.h"

namespace vmq::expose {

// The families of the page, in page order: one per signal, then coverage, uncovered time, alert
// state and the vmq_target_* self-metrics. Built from the config; the same for every target.
class PageLayout {
 public:
  explicit PageLayout(const config::Config& config);

  const std::vector<FamilySpec>& families() const { return families_; }
  const std::vector<std::string>& window_labels() const { return window_labels_; }
  size_t signal_count() const { return signal_count_; }

 private:
  std::vector<FamilySpec> families_;
  std::vector<std::string> window_labels_;  // `window` label values, in config order
  size_t signal_count_ = 0;
};

struct TargetPage {
  TargetStatus status;                // for the landing page and readiness
  std::vector<std::string> families;  // sample lines, indexed like PageLayout::families()
};

// Everything a target's part is made of, as it stands after one poll.
struct TargetReport {
  const TargetStatus& status;
  const evaluate::TargetValues& values;
  const window::HistoryStats& history;
  size_t tracked_series = 0;
  std::span<const alerting::AlertSeriesState> alerts;
};

TargetPage RenderTargetPage(const PageLayout& layout, const TargetReport& report);

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_TARGET_PAGE_H_
