#include "expose/metrics_renderer.h"

#include <prometheus/text_serializer.h>

#include <sstream>
#include <utility>

namespace vmq::expose {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = EscapeHelp(help);
  family.type = type;
  return family;
}

void AddSample(MetricFamily* family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (family->type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family->metric.push_back(std::move(metric));
}

std::vector<ClientMetric::Label> SignalLabels(const TargetView& target,
                                              const config::Signal& signal,
                                              const signals::RawSeries& series) {
  std::vector<ClientMetric::Label> labels = {{"target", target.status.name}};
  std::string node(signals::LabelValue(series.labels, "node"));
  labels.push_back({"node", node.empty() ? target.status.node : node});
  for (const std::string& keep : signal.keep_labels) {
    const std::string_view value = signals::LabelValue(series.labels, keep);
    if (!value.empty()) labels.push_back({keep, std::string(value)});
  }
  return labels;
}

}  // namespace

std::string EscapeHelp(const std::string& help) {
  std::string escaped;
  escaped.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      escaped.append("\\\\");
    } else if (c == '\n') {
      escaped.append("\\n");
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

MetricsRenderer::MetricsRenderer(const config::Config& config, BuildInfo build)
    : config_(config), build_(std::move(build)) {}

std::vector<MetricFamily> MetricsRenderer::Families(std::span<const TargetView> targets,
                                                    MonoTime now) const {
  std::vector<MetricFamily> families;
  AddSignalFamilies(targets, now, &families);
  AddCoverage(targets, now, &families);
  AddAlertStates(targets, &families);
  AddTargetFamilies(targets, &families);
  MetricFamily build = Family("vmq_exporter_build_info",
                              "A metric with a constant '1' value labelled by version and "
                              "revision of vernemq-pubcomp-exporter.",
                              MetricType::Gauge);
  AddSample(&build, {{"version", build_.version}, {"revision", build_.revision}}, 1);
  families.push_back(std::move(build));
  return families;
}

std::string MetricsRenderer::Render(std::span<const TargetView> targets, MonoTime now) const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Families(targets, now));
  return out.str();
}

void MetricsRenderer::AddSignalFamilies(std::span<const TargetView> targets, MonoTime now,
                                        std::vector<MetricFamily>* out) const {
  for (const config::Signal& signal : config_.signals) {
    // Output series -> one sum per window, in config order.
    std::map<std::vector<ClientMetric::Label>, std::vector<uint64_t>> sums;
    for (const TargetView& target : targets) {
      if (!target.status.up) continue;
      for (const auto& [key, series] : target.series) {
        if (!signals::Feeds(signal, series)) continue;
        auto& per_window = sums[SignalLabels(target, signal, series)];
        per_window.resize(config_.windows.size(), 0);
        for (size_t w = 0; w < config_.windows.size(); ++w) {
          per_window[w] += target.history.Increase(key, config_.windows[w].length, now);
        }
      }
    }
    if (sums.empty()) continue;
    MetricFamily family = Family(signal.name, signal.help, MetricType::Gauge);
    for (const auto& [labels, per_window] : sums) {
      for (size_t w = 0; w < config_.windows.size(); ++w) {
        auto with_window = labels;
        with_window.push_back({"window", config_.windows[w].text});
        AddSample(&family, std::move(with_window), static_cast<double>(per_window[w]));
      }
    }
    out->push_back(std::move(family));
  }
}

void MetricsRenderer::AddCoverage(std::span<const TargetView> targets, MonoTime now,
                                  std::vector<MetricFamily>* out) const {
  MetricFamily family =
      Family("vmq_window_coverage_ratio",
             "Fraction of the trailing window during which every scheduled poll of the target "
             "succeeded; window counts are complete only at 1.",
             MetricType::Gauge);
  for (const TargetView& target : targets) {
    for (const config::Window& window : config_.windows) {
      AddSample(&family, {{"target", target.status.name}, {"window", window.text}},
                target.history.Coverage(window.length, now));
    }
  }
  out->push_back(std::move(family));
}

void MetricsRenderer::AddAlertStates(std::span<const TargetView> targets,
                                     std::vector<MetricFamily>* out) const {
  MetricFamily family =
      Family("vmq_alert_state",
             "State of each alert of config.yaml alerts: per target, node and MQTT version, "
             "evaluated at every poll with the thresholds of the generated Prometheus rules: "
             "0 ok, 1 raised (at the rule's severity, warning by default), 2 critical.",
             MetricType::Gauge);
  for (const TargetView& target : targets) {
    if (!target.status.up || target.alerts == nullptr) continue;
    for (const alerting::AlertSeriesState& state : target.alerts->States()) {
      std::vector<ClientMetric::Label> labels = {
          {"alert", state.alert}, {"target", target.status.name}, {"node", state.series.node}};
      if (!state.series.mqtt_version.empty()) {
        labels.push_back({"mqtt_version", state.series.mqtt_version});
      }
      AddSample(&family, std::move(labels), static_cast<int>(state.level));
    }
  }
  if (!family.metric.empty()) out->push_back(std::move(family));
}

void MetricsRenderer::AddTargetFamilies(std::span<const TargetView> targets,
                                        std::vector<MetricFamily>* out) const {
  MetricFamily up =
      Family("vmq_target_up", "1 if the last poll of the target fetched a VerneMQ page, else 0.",
             MetricType::Gauge);
  MetricFamily info = Family(
      "vmq_target_info", "VerneMQ node name and metric namespace detected on the target's page.",
      MetricType::Gauge);
  MetricFamily duration = Family("vmq_target_poll_duration_seconds",
                                 "Duration of the last poll of the target.", MetricType::Gauge);
  MetricFamily last_success =
      Family("vmq_target_last_success_timestamp_seconds",
             "Unix time of the last successful poll of the target.", MetricType::Gauge);
  MetricFamily polls = Family("vmq_target_polls_total", "Polls of the target, successful or not.",
                              MetricType::Counter);
  MetricFamily errors = Family("vmq_target_poll_errors_total",
                               "Failed polls of the target by reason.", MetricType::Counter);
  MetricFamily bad_lines =
      Family("vmq_target_page_bad_lines_total",
             "Lines of the target's pages that are not valid text format and were skipped.",
             MetricType::Counter);
  MetricFamily rejected =
      Family("vmq_target_page_rejected_values_total",
             "Samples of tracked counters whose value is not a non-negative integer, ignored.",
             MetricType::Counter);
  MetricFamily duplicates =
      Family("vmq_target_page_duplicate_series_total",
             "Tracked series that appeared more than once on one page; no value of theirs was "
             "used for that poll.",
             MetricType::Counter);
  MetricFamily dropped = Family("vmq_target_dropped_series_total",
                                "New series not tracked because the target already holds the "
                                "maximum number of series or of series bytes.",
                                MetricType::Counter);
  MetricFamily tracked =
      Family("vmq_target_tracked_series", "Raw VerneMQ counter series held in the window history.",
             MetricType::Gauge);
  MetricFamily entries =
      Family("vmq_target_history_entries",
             "Increase entries held in the window history (memory use).", MetricType::Gauge);
  MetricFamily resets = Family("vmq_target_resets_total",
                               "Counter resets detected on the target, by cause: restart "
                               "(system_wallclock went down) or decrease (one counter went down).",
                               MetricType::Counter);

  for (const TargetView& target : targets) {
    const TargetStatus& status = target.status;
    const std::vector<ClientMetric::Label> name = {{"target", status.name}};
    AddSample(&up, name, status.up ? 1 : 0);
    if (!status.node.empty() || !status.prefix.empty()) {
      AddSample(&info,
                {{"target", status.name}, {"node", status.node}, {"namespace", status.prefix}}, 1);
    }
    if (status.polled) AddSample(&duration, name, status.last_poll_duration_seconds);
    if (status.last_success_unix_seconds) {
      AddSample(&last_success, name, *status.last_success_unix_seconds);
    }
    AddSample(&polls, name, static_cast<double>(status.polls_total));
    for (const auto& [reason, count] : status.poll_errors_total) {
      AddSample(&errors, {{"target", status.name}, {"reason", reason}}, static_cast<double>(count));
    }
    AddSample(&bad_lines, name, static_cast<double>(status.bad_lines_total));
    AddSample(&rejected, name, static_cast<double>(status.rejected_values_total));
    AddSample(&duplicates, name, static_cast<double>(status.duplicate_series_total));
    AddSample(&dropped, name, static_cast<double>(status.dropped_series_total));
    AddSample(&tracked, name, static_cast<double>(target.history.series_count()));
    const window::HistoryStats stats = target.history.stats();
    AddSample(&entries, name, static_cast<double>(stats.stored_increments));
    AddSample(&resets, {{"target", status.name}, {"cause", "restart"}},
              static_cast<double>(stats.restarts_detected));
    AddSample(&resets, {{"target", status.name}, {"cause", "decrease"}},
              static_cast<double>(stats.counter_resets));
  }
  for (MetricFamily* family : {&up, &info, &duration, &last_success, &polls, &errors, &bad_lines,
                               &rejected, &duplicates, &dropped, &tracked, &entries, &resets}) {
    if (!family->metric.empty()) out->push_back(std::move(*family));
  }
}

}  // namespace vmq::expose
