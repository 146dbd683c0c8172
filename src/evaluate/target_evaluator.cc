#include "evaluate/target_evaluator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace vmq::evaluate {
namespace {

double UncoveredSeconds(Millis window, double coverage) {
  const double millis = std::round(static_cast<double>(window.count()) * (1.0 - coverage));
  return millis / 1000.0;
}

}  // namespace

TargetEvaluator::TargetEvaluator(const std::vector<config::Signal>& signals,
                                 const std::vector<config::Window>& windows)
    : signals_(signals), windows_(windows), outputs_(signals_.size()) {}

void TargetEvaluator::Track(const signals::RawSeries& series) {
  TrackedSeries tracked{series, {}};
  for (size_t s = 0; s < signals_.size(); ++s) {
    if (signals::Feeds(signals_[s], series)) tracked.signals.push_back(s);
  }
  // A series no signal takes needs no output; the history still holds it for the caller.
  if (tracked.signals.empty()) return;
  tracked_.push_back(std::move(tracked));
  stale_ = true;
}

void TargetEvaluator::SetPageNode(std::string_view node) {
  if (node == page_node_) return;
  page_node_ = std::string(node);
  stale_ = true;
}

Labels TargetEvaluator::OutputLabels(const config::Signal& signal,
                                     const signals::RawSeries& series) const {
  const std::string_view node = signals::LabelValue(series.labels, "node");
  Labels labels = {{"node", std::string(node.empty() ? std::string_view(page_node_) : node)}};
  for (const std::string& keep : signal.keep_labels) {
    const std::string_view value = signals::LabelValue(series.labels, keep);
    if (!value.empty()) labels.emplace_back(keep, std::string(value));
  }
  return labels;
}

void TargetEvaluator::Rebuild() {
  std::vector<std::map<Labels, size_t>> by_labels(signals_.size());
  for (const TrackedSeries& tracked : tracked_) {
    for (size_t s : tracked.signals)
      by_labels[s].emplace(OutputLabels(signals_[s], tracked.series), 0);
  }
  for (size_t s = 0; s < signals_.size(); ++s) {
    outputs_[s].clear();
    for (auto& [labels, index] : by_labels[s]) {
      index = outputs_[s].size();
      outputs_[s].push_back(labels);
    }
  }
  raw_.clear();
  for (const TrackedSeries& tracked : tracked_) {
    RawFeeds raw{tracked.series.key, {}};
    for (size_t s : tracked.signals) {
      raw.feeds.push_back({s, by_labels[s].at(OutputLabels(signals_[s], tracked.series))});
    }
    raw_.push_back(std::move(raw));
  }
}

TargetValues TargetEvaluator::Evaluate(const window::TargetHistory& history, MonoTime now) {
  if (stale_) Rebuild();
  stale_ = false;
  TargetValues values;
  values.signals.resize(signals_.size());
  for (size_t s = 0; s < signals_.size(); ++s) {
    for (const Labels& labels : outputs_[s]) {
      values.signals[s].series.push_back(
          {labels, std::vector<Number>(windows_.size(), Number::Count(0))});
    }
  }
  // The history answers all of its windows in one lookup when they are ours.
  bool same_windows = history.windows().size() == windows_.size();
  for (size_t w = 0; same_windows && w < windows_.size(); ++w) {
    same_windows = history.windows()[w] == windows_[w].length;
  }
  std::vector<uint64_t> counts(windows_.size());
  std::vector<Number> increases(windows_.size());
  for (const RawFeeds& raw : raw_) {
    if (same_windows) {
      history.Increases(raw.key, now, counts);
    } else {
      for (size_t w = 0; w < windows_.size(); ++w) {
        counts[w] = history.Increase(raw.key, windows_[w].length, now);
      }
    }
    for (size_t w = 0; w < windows_.size(); ++w) increases[w] = Number::Count(counts[w]);
    for (const Feed& feed : raw.feeds) {
      std::vector<Number>& out = values.signals[feed.signal].series[feed.output].values;
      for (size_t w = 0; w < windows_.size(); ++w) out[w] += increases[w];
    }
  }
  values.coverage.reserve(windows_.size());
  values.uncovered_seconds.reserve(windows_.size());
  for (const config::Window& window : windows_) {
    const double coverage = history.Coverage(window.length, now);
    values.coverage.push_back(coverage);
    values.uncovered_seconds.push_back(UncoveredSeconds(window.length, coverage));
  }
  return values;
}

}  // namespace vmq::evaluate
