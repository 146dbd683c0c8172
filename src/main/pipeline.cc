#include "main/pipeline.h"

#include <chrono>
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
  // Parsing is the expensive part and touches no shared state: done outside the lock.
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
  std::lock_guard lock(mu_);
  TargetState& state = *targets_[target_index];
  const MonoTime now = clock_.Now();
  if (result.ok()) {
    RecordSuccess(state, result, std::move(page));
    EvaluateAlerts(state, now);
  } else {
    RecordFailure(state, result);
    state.alerts.Reset();
  }
  PublishLocked(now);
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

void Pipeline::RecordSuccess(TargetState& state, const poll::PollResult& result,
                             signals::SelectedPage page) {
  expose::TargetStatus& status = state.status;
  std::vector<window::Observation> observations;
  observations.reserve(page.series.size());
  for (signals::RawSeries& series : page.series) {
    if (!state.series.contains(series.key)) {
      if (state.series.size() >= kMaxSeriesPerTarget) {
        ++status.dropped_series_total;
        continue;
      }
      state.series.emplace(series.key, series);
    }
    observations.push_back({std::move(series.key), series.value});
  }
  state.history.RecordSuccess(result.finished, page.uptime_ms, observations);

  if (page.parse.bad_lines > 0) {
    const auto& first = page.parse.errors.front();
    logger_.Log(page.parse.bad_lines != state.last_bad_lines ? LogLevel::kWarn : LogLevel::kDebug,
                "skipped malformed lines",
                {{"target", status.name},
                 {"count", std::to_string(page.parse.bad_lines)},
                 {"first_line", std::to_string(first.line)},
                 {"first_error", first.message}});
  }
  state.last_bad_lines = page.parse.bad_lines;
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
  status.prefix = page.prefix;
  if (!page.node.empty()) status.node = page.node;
}

void Pipeline::Publish() {
  std::lock_guard lock(mu_);
  PublishLocked(clock_.Now());
}

void Pipeline::PublishLocked(MonoTime now) {
  std::vector<expose::TargetView> views;
  auto snapshot = std::make_shared<expose::Snapshot>();
  snapshot->ready = true;
  for (const auto& state : targets_) {
    views.push_back({state->status, state->history, state->series, &state->alerts});
    snapshot->targets.push_back(state->status);
    snapshot->ready = snapshot->ready && state->status.polled;
  }
  snapshot->metrics_text = renderer_.Render(views, now);
  store_.Publish(std::move(snapshot));
}

}  // namespace vmq
