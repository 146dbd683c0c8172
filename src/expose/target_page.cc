#include "expose/target_page.h"

#include <utility>

namespace vmq::expose {
namespace {

// The vmq_target_* families, in page order after the signals, coverage and alert state.
enum TargetFamily : size_t {
  kUp,
  kInfo,
  kPollDuration,
  kLastSuccess,
  kPolls,
  kPollErrors,
  kBadLines,
  kRejected,
  kDuplicates,
  kDropped,
  kTracked,
  kEntries,
  kHistoryBytes,
  kResets,
};

std::vector<FamilySpec> TargetFamilies() {
  using enum FamilyType;
  return {
      {"vmq_target_up", "1 if the last poll of the target fetched a VerneMQ page, else 0.", kGauge},
      {"vmq_target_info", "VerneMQ node name and metric namespace detected on the target's page.",
       kGauge},
      {"vmq_target_poll_duration_seconds", "Duration of the last poll of the target.", kGauge},
      {"vmq_target_last_success_timestamp_seconds",
       "Unix time of the last successful poll of the target.", kGauge},
      {"vmq_target_polls_total", "Polls of the target, successful or not.", kCounter},
      {"vmq_target_poll_errors_total", "Failed polls of the target by reason.", kCounter},
      {"vmq_target_page_bad_lines_total",
       "Lines of the target's pages that are not valid text format and were skipped.", kCounter},
      {"vmq_target_page_rejected_values_total",
       "Samples of tracked counters whose value is not a non-negative integer, ignored.", kCounter},
      {"vmq_target_page_duplicate_series_total",
       "Tracked series that appeared more than once on one page; no value of theirs was used "
       "for that poll.",
       kCounter},
      {"vmq_target_dropped_series_total",
       "New series not tracked because the target already holds the maximum number of series "
       "or of series bytes.",
       kCounter},
      {"vmq_target_tracked_series", "Raw VerneMQ counter series held in the window history.",
       kGauge},
      {"vmq_target_history_entries", "Increase entries held in the window history (memory use).",
       kGauge},
      {"vmq_target_history_bytes",
       "Heap bytes the target's window history holds, series keys included.", kGauge},
      {"vmq_target_resets_total",
       "Polls of the target that found its node's counters started again from zero, by cause: "
       "restart (system_wallclock went down) or metrics_reset (a counter went down, "
       "system_wallclock did not).",
       kCounter},
  };
}

// Renders into `page->families` at the layout's indices.
class PartWriter {
 public:
  PartWriter(const PageLayout& layout, const TargetReport& report, TargetPage* page)
      : layout_(layout), report_(report), page_(page), target_(report.status.name) {}

  void Signals() {
    if (!report_.status.up) return;
    for (size_t s = 0; s < layout_.signal_count() && s < report_.values.signals.size(); ++s) {
      const std::string& name = layout_.families()[s].name;
      for (const evaluate::OutputSeries& series : report_.values.signals[s].series) {
        for (size_t w = 0; w < series.values.size(); ++w) {
          AppendSample(name, {{"target", target_}}, series.labels,
                       {{"window", layout_.window_labels()[w]}}, FormatValue(series.values[w]),
                       Family(s));
        }
      }
    }
  }

  void Coverage() {
    const size_t family = layout_.signal_count();
    for (size_t w = 0; w < report_.values.coverage.size(); ++w) {
      AppendSample(layout_.families()[family].name,
                   {{"target", target_}, {"window", layout_.window_labels()[w]}},
                   FormatValue(report_.values.coverage[w]), Family(family));
    }
  }

  void Uncovered() {
    const size_t family = layout_.signal_count() + 1;
    for (size_t w = 0; w < report_.values.uncovered_seconds.size(); ++w) {
      AppendSample(layout_.families()[family].name,
                   {{"target", target_}, {"window", layout_.window_labels()[w]}},
                   FormatValue(report_.values.uncovered_seconds[w]), Family(family));
    }
  }

  void AlertStates() {
    if (!report_.status.up) return;
    const size_t family = layout_.signal_count() + 2;
    for (const alerting::AlertSeriesState& state : report_.alerts) {
      const std::string level = FormatValue(static_cast<uint64_t>(state.level));
      if (state.series.mqtt_version.empty()) {
        AppendSample(layout_.families()[family].name,
                     {{"alert", state.alert}, {"target", target_}, {"node", state.series.node}},
                     level, Family(family));
      } else {
        AppendSample(layout_.families()[family].name,
                     {{"alert", state.alert},
                      {"target", target_},
                      {"node", state.series.node},
                      {"mqtt_version", state.series.mqtt_version}},
                     level, Family(family));
      }
    }
  }

  void TargetFamilies() {
    const TargetStatus& status = report_.status;
    Add(kUp, uint64_t{status.up ? 1U : 0U});
    if (!status.node.empty() || !status.prefix.empty()) {
      AppendSample(Name(kInfo),
                   {{"target", target_}, {"node", status.node}, {"namespace", status.prefix}}, "1",
                   Target(kInfo));
    }
    if (status.polled) Add(kPollDuration, status.last_poll_duration_seconds);
    if (status.last_success_unix_seconds) Add(kLastSuccess, *status.last_success_unix_seconds);
    Add(kPolls, status.polls_total);
    for (const auto& [reason, count] : status.poll_errors_total) {
      AppendSample(Name(kPollErrors), {{"target", target_}, {"reason", reason}}, FormatValue(count),
                   Target(kPollErrors));
    }
    Add(kBadLines, status.bad_lines_total);
    Add(kRejected, status.rejected_values_total);
    Add(kDuplicates, status.duplicate_series_total);
    Add(kDropped, status.dropped_series_total);
    Add(kTracked, static_cast<uint64_t>(report_.tracked_series));
    Add(kEntries, static_cast<uint64_t>(report_.history.stored_increments));
    Add(kHistoryBytes, static_cast<uint64_t>(report_.history.stored_bytes));
    AppendSample(Name(kResets), {{"target", target_}, {"cause", "restart"}},
                 FormatValue(status.restarts_total), Target(kResets));
    AppendSample(Name(kResets), {{"target", target_}, {"cause", "metrics_reset"}},
                 FormatValue(status.metrics_resets_total), Target(kResets));
  }

 private:
  std::string* Family(size_t index) { return &page_->families[index]; }
  size_t TargetIndex(TargetFamily family) const { return layout_.signal_count() + 3 + family; }
  std::string* Target(TargetFamily family) { return Family(TargetIndex(family)); }
  const std::string& Name(TargetFamily family) const {
    return layout_.families()[TargetIndex(family)].name;
  }
  template <class Value>
  void Add(TargetFamily family, Value value) {
    AppendSample(Name(family), {{"target", target_}}, FormatValue(value), Target(family));
  }

  const PageLayout& layout_;
  const TargetReport& report_;
  TargetPage* page_;
  std::string_view target_;
};

}  // namespace

PageLayout::PageLayout(const config::Config& config) {
  for (const config::Signal& signal : config.signals) {
    families_.push_back({signal.name, signal.help, FamilyType::kGauge});
  }
  signal_count_ = families_.size();
  families_.push_back({"vmq_window_coverage_ratio",
                       "Fraction of the trailing window during which every scheduled poll of the "
                       "target succeeded; window counts are complete only at 1.",
                       FamilyType::kGauge});
  families_.push_back({"vmq_window_uncovered_seconds",
                       "Time in the trailing window during which the exporter did not watch the "
                       "target (no poll, a failed poll, or polls too far apart): events in it "
                       "may be missing from the window counts.",
                       FamilyType::kGauge});
  families_.push_back(
      {"vmq_alert_state",
       "State of each alert of config.yaml alerts: per target, node and MQTT version, "
       "evaluated at every poll with the thresholds of the generated Prometheus rules: "
       "0 ok, 1 raised (at the rule's severity, warning by default), 2 critical.",
       FamilyType::kGauge});
  for (FamilySpec& family : TargetFamilies()) families_.push_back(std::move(family));
  for (const config::Window& window : config.windows) window_labels_.push_back(window.text);
}

TargetPage RenderTargetPage(const PageLayout& layout, const TargetReport& report) {
  TargetPage page;
  page.status = report.status;
  page.families.resize(layout.families().size());
  PartWriter writer(layout, report, &page);
  writer.Signals();
  writer.Coverage();
  writer.Uncovered();
  writer.AlertStates();
  writer.TargetFamilies();
  return page;
}

}  // namespace vmq::expose
