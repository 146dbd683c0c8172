#include "main/pipeline.h"

#include <chrono>
#include <string_view>
#include <utility>

#include "alerting/alert_series.h"

namespace vmq {
namespace {

std::vector<Millis> WindowLengths(const config::Config& config) {
  std::vector<Millis> lengths;
  for (const auto& window : config.windows) lengths.push_back(window.length);
  return lengths;
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// A series key for a log line: label values may be up to a line long (64 KiB). Cut on a UTF-8
// character boundary so the log stays valid UTF-8.
std::string ForLog(std::string_view key) {
  constexpr size_t kMaxBytes = 256;
  if (key.size() <= kMaxBytes) return std::string(key);
  size_t end = kMaxBytes;
  while (end > 0 && (static_cast<unsigned char>(key[end]) & 0xc0) == 0x80) --end;
  return std::string(key.substr(0, end)) + "...";
}

// What holding a series costs in identity bytes: its key, source and labels, stored once in
// the series map and the key once more in the window history.
size_t SeriesBytes(const signals::RawSeries& series) {
  size_t bytes = 2 * series.key.size() + series.source.size();
  for (const auto& [name, value] : series.labels) bytes += name.size() + value.size();
  return bytes;
}

}  // namespace

Pipeline::TargetState::TargetState(const config::Target& target, const config::Config& config)
    // A missed poll leaves a gap: two good polls are at most interval + timeout apart.
    : history(WindowLengths(config), config.poll.interval + config.poll.timeout),
      alerts(config.alerts.rules) {
  status.name = target.name;
  status.url = target.url.text;
  for (poll::PollError error : poll::kAllPollErrors) {
    status.poll_errors_total[std::string(poll::ToString(error))] = 0;
  }
}

Pipeline::Pipeline(const config::Config& config, const Clock& clock, Logger& logger,
                   expose::SnapshotStore& store, expose::BuildInfo build)
    : config_(config),
      clock_(clock),
      logger_(logger),
      store_(store),
      selector_(config.signals),
      renderer_(config, std::move(build)) {
  for (const auto& target : config.targets) {
    targets_.push_back(std::make_unique<TargetState>(target, config));
  }
}

void Pipeline::OnPollResult(size_t target_index, poll::PollResult result) {
  // Parsing is the expensive part and touches no shared state: done outside any lock.
  signals::SelectedPage page;
  if (result.ok()) {
    page = selector_.Select(result.body);
    if (!page.is_vernemq) {
      result.error = poll::PollError::kNotVernemq;
      result.detail =
          "page has no VerneMQ metric family (no *mqtt_publish_error, no "
          "*system_wallclock)";
    }
  }
  {
    TargetState& state = *targets_[target_index];
    std::lock_guard lock(state.mu);
    if (result.ok()) {
      RecordSuccess(state, result, std::move(page));
      EvaluateAlerts(state, clock_.Now());
    } else {
      RecordFailure(state, result);
      state.alerts.Reset();
    }
  }
  Publish();
}

void Pipeline::EvaluateAlerts(TargetState& state, MonoTime now) {
  const bool covered = state.history.Coverage(config_.alerts.window.length, now) == 1.0;
  state.alerts.Evaluate(
      alerting::CountAlertSignals(config_, state.series, state.history, now, state.status.node),
      covered);
}

void Pipeline::RecordFailure(TargetState& state, const poll::PollResult& result) {
  expose::TargetStatus& status = state.status;
  state.history.RecordFailure(result.finished);
  if (status.up || !status.polled || status.last_error != result.detail) {
    logger_.Warn("poll failed", {{"target", status.name},
                                 {"reason", std::string(poll::ToString(result.error))},
                                 {"err", result.detail}});
  }
  status.polled = true;
  status.up = false;
  status.last_error = result.detail;
  status.last_poll_duration_seconds = Seconds(result.finished - result.started);
  ++status.polls_total;
  ++status.poll_errors_total[std::string(poll::ToString(result.error))];
}

std::vector<window::Observation> Pipeline::TrackSeries(TargetState& state,
                                                       signals::SelectedPage& page) {
  std::vector<window::Observation> observations;
  observations.reserve(page.series.size());
  for (signals::RawSeries& series : page.series) {
    if (!state.series.contains(series.key)) {
      const size_t bytes = SeriesBytes(series);
      if (state.series.size() >= kMaxSeriesPerTarget ||
          state.series_bytes + bytes > config_.poll.max_series_bytes) {
        ++state.status.dropped_series_total;
        continue;
      }
      state.series_bytes += bytes;
      state.series.emplace(series.key, series);
    }
    observations.push_back({std::move(series.key), series.value});
  }
  return observations;
}

void Pipeline::LogPageProblems(TargetState& state, const signals::SelectedPage& page,
                               size_t dropped) {
  const std::string& target = state.status.name;
  if (page.parse.bad_lines > 0) {
    const auto& first = page.parse.errors.front();
    logger_.Log(page.parse.bad_lines != state.last_bad_lines ? LogLevel::kWarn : LogLevel::kDebug,
                "skipped malformed lines",
                {{"target", target},
                 {"count", std::to_string(page.parse.bad_lines)},
                 {"first_line", std::to_string(first.line)},
                 {"first_error", first.message}});
  }
  state.last_bad_lines = page.parse.bad_lines;
  if (page.duplicate_series > 0) {
    logger_.Log(page.duplicate_series != state.last_duplicates ? LogLevel::kWarn : LogLevel::kDebug,
                "ignored series that appear more than once on the page",
                {{"target", target},
                 {"count", std::to_string(page.duplicate_series)},
                 {"first", ForLog(page.first_duplicate)}});
  }
  state.last_duplicates = page.duplicate_series;
  if (dropped > 0) {
    logger_.Log(state.last_dropped ? LogLevel::kDebug : LogLevel::kWarn,
                "not tracking new series: the target holds the maximum",
                {{"target", target},
                 {"dropped", std::to_string(dropped)},
                 {"series", std::to_string(state.series.size())},
                 {"max_series", std::to_string(kMaxSeriesPerTarget)},
                 {"series_bytes", std::to_string(state.series_bytes)},
                 {"max_series_bytes", std::to_string(config_.poll.max_series_bytes)}});
  }
  state.last_dropped = dropped > 0;
}

void Pipeline::RecordSuccess(TargetState& state, const poll::PollResult& result,
                             signals::SelectedPage page) {
  expose::TargetStatus& status = state.status;
  const uint64_t dropped_before = status.dropped_series_total;
  const std::vector<window::Observation> observations = TrackSeries(state, page);
  state.history.RecordSuccess(result.finished, page.uptime_ms, observations);
  LogPageProblems(state, page, status.dropped_series_total - dropped_before);

  if (!status.up) logger_.Info("target up", {{"target", status.name}, {"node", page.node}});
  status.polled = true;
  status.up = true;
  status.last_error.clear();
  status.last_poll_duration_seconds = Seconds(result.finished - result.started);
  status.last_success_unix_seconds =
      std::chrono::duration<double>(clock_.WallNow().time_since_epoch()).count();
  ++status.polls_total;
  status.bad_lines_total += page.parse.bad_lines;
  status.rejected_values_total += page.rejected_values;
  status.duplicate_series_total += page.duplicate_series;
  status.prefix = page.prefix;
  if (!page.node.empty()) status.node = page.node;
}

void Pipeline::Publish() {
  publish_requested_.store(true);
  // A request made while another thread renders is served by that thread: it looks again
  // after letting go of the lock.
  do {
    std::unique_lock lock(publish_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    while (publish_requested_.exchange(false)) PublishOnce();
  } while (publish_requested_.load());
}

void Pipeline::PublishOnce() {
  // Every target's lock is held for the render, taken in index order (the only place that
  // holds more than one), so the page shows each target as one consistent poll.
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(targets_.size());
  for (const auto& state : targets_) locks.emplace_back(state->mu);
  const MonoTime now = clock_.Now();
  std::vector<expose::TargetView> views;
  auto snapshot = std::make_shared<expose::Snapshot>();
  snapshot->ready = true;
  for (const auto& state : targets_) {
    views.push_back({state->status, state->history, state->series, &state->alerts});
    snapshot->targets.push_back(state->status);
    snapshot->ready = snapshot->ready && state->status.polled;
  }
  snapshot->metrics_text = renderer_.Render(views, now);
  locks.clear();
  store_.Publish(std::move(snapshot));
}

}  // namespace vmq
