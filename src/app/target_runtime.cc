#include "app/target_runtime.h"

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace vmq::app {
namespace {

std::vector<Millis> WindowLengths(const config::Config& config) {
  std::vector<Millis> lengths;
  for (const auto& window : config.windows) lengths.push_back(window.length);
  return lengths;
}

// A missed poll leaves a gap: two good polls are at most interval + timeout apart.
Millis MaxGap(const config::PollSettings& poll) { return poll.interval + poll.timeout; }

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

// What holding a series costs in identity bytes: its key, source and labels, stored once for
// the evaluation and the key once more in the window history.
size_t SeriesBytes(const signals::RawSeries& series) {
  size_t bytes = 2 * series.key.size() + series.source.size();
  for (const auto& [name, value] : series.labels) bytes += name.size() + value.size();
  return bytes;
}

}  // namespace

TargetRuntime::TargetRuntime(const config::Target& target, const TargetContext& context)
    // Not owned: an aliasing pointer without an owner.
    : TargetRuntime(target,
                    std::shared_ptr<const TargetContext>(std::shared_ptr<void>(), &context)) {}

TargetRuntime::TargetRuntime(const config::Target& target,
                             std::shared_ptr<const TargetContext> context)
    : name_(target.name),
      context_(std::move(context)),
      history_(WindowLengths(context_->config), MaxGap(context_->config.poll)),
      evaluator_(std::in_place, context_->config.signals, context_->config.windows),
      alerts_(std::in_place, context_->config.alerts.rules) {
  status_.name = target.name;
  status_.url = target.url.text;
  for (poll::PollError error : poll::kAllPollErrors) {
    status_.poll_errors_total[std::string(poll::ToString(error))] = 0;
  }
}

std::shared_ptr<const TargetContext> TargetRuntime::CurrentContext() {
  std::lock_guard lock(mu_);
  return context_;
}

std::shared_ptr<const expose::TargetPage> TargetRuntime::OnPollResult(poll::PollResult result) {
  return Process(std::move(result)).page;
}

TargetRuntime::Rendered TargetRuntime::Process(poll::PollResult result) {
  // Parsing is the expensive part and touches no state: done outside the lock.
  const bool fetched = result.ok();
  std::shared_ptr<const TargetContext> context = CurrentContext();
  signals::SelectedPage page;
  if (fetched) page = context->selector.Select(result.body);
  std::unique_lock lock(mu_);
  while (context_ != context) {  // a reload moved the target meanwhile: parse under the new one
    context = context_;
    lock.unlock();
    if (fetched) page = context->selector.Select(result.body);
    lock.lock();
  }
  if (fetched && !page.is_vernemq) {
    result.error = poll::PollError::kNotVernemq;
    result.detail =
        "page has no VerneMQ metric family (no *mqtt_publish_error, no "
        "*system_wallclock)";
  }
  if (result.ok()) {
    RecordSuccess(result, std::move(page));
  } else {
    RecordFailure(result);
  }
  auto part = EvaluateAndRender(context_->clock.Now(), result.ok());
  if (writer_) Journal(result, result.ok());
  return {std::move(part), context_};
}

std::shared_ptr<const expose::TargetPage> TargetRuntime::Reconfigure(
    const config::Target& target, std::shared_ptr<const TargetContext> context,
    const std::unique_lock<std::mutex>& held) {
  if (held.mutex() != &mu_ || !held.owns_lock()) std::abort();  // a caller's bug, not input
  const config::Config& next = context->config;
  std::vector<Millis> windows = WindowLengths(next);
  const Millis max_gap = MaxGap(next.poll);
  if (windows != history_.windows() || max_gap != MaxGap(context_->config.poll)) {
    std::string error;
    std::optional<window::TargetHistory> rewindowed =
        window::TargetHistory::FromImage(windows, max_gap, history_.Export(), &error);
    if (rewindowed) {
      history_ = std::move(*rewindowed);
    } else {
      context->logger.Warn("history not carried over to the reloaded windows",
                           {{"target", name_}, {"err", error}});
      history_ = window::TargetHistory(std::move(windows), max_gap);
    }
    // The journal replays onto a snapshot: one of the history as it now stands.
    if (writer_) writer_->Snapshot(StateLocked());
  }
  // The same raw series, matched against the new signals; the same node for unlabelled ones.
  const std::vector<signals::RawSeries> series = evaluator_->Series();
  const std::string page_node = evaluator_->page_node();
  evaluator_.emplace(next.signals, next.windows);
  if (!page_node.empty()) evaluator_->SetPageNode(page_node);
  for (const signals::RawSeries& raw : series) evaluator_->Track(raw);
  alerting::AlertStateTracker alerts(next.alerts.rules);
  alerts.AdoptLevels(*alerts_);  // reads the old rules: context_ still holds them
  alerts_.emplace(std::move(alerts));
  context_ = std::move(context);
  status_.url = target.url.text;
  // The new thresholds apply to the levels reached, at once rather than at the next poll.
  return EvaluateAndRender(context_->clock.Now(), status_.up);
}

std::shared_ptr<const expose::TargetPage> TargetRuntime::Render() {
  std::lock_guard lock(mu_);
  return EvaluateAndRender(context_->clock.Now(), false);
}

std::shared_ptr<const expose::TargetPage> TargetRuntime::EvaluateAndRender(MonoTime now, bool up) {
  const evaluate::TargetValues values = evaluator_->Evaluate(history_, now);
  if (up) {
    const bool covered = history_.Coverage(context_->config.alerts.window.length, now) == 1.0;
    alerts_->Evaluate(alerting::CountAlertSignals(context_->alerts, values), covered);
  } else {
    // The window gauges vanish from the page while a target is down, which resolves the
    // Prometheus alerts; the exporter-side state does the same.
    alerts_->Reset();
  }
  const window::HistoryStats stats = history_.stats();
  const std::vector<alerting::AlertSeriesState> states = alerts_->States();
  return std::make_shared<const expose::TargetPage>(expose::RenderTargetPage(
      context_->layout, {status_, values, stats, history_.series_count(), states}));
}

void TargetRuntime::RecordFailure(const poll::PollResult& result) {
  history_.RecordFailure(result.finished);
  if (status_.up || !status_.polled || status_.last_error != result.detail) {
    context_->logger.Warn("poll failed", {{"target", status_.name},
                                          {"reason", std::string(poll::ToString(result.error))},
                                          {"err", result.detail}});
  }
  status_.polled = true;
  status_.up = false;
  status_.last_error = result.detail;
  status_.last_poll_duration_seconds = Seconds(result.finished - result.started);
  ++status_.polls_total;
  ++status_.poll_errors_total[std::string(poll::ToString(result.error))];
}

std::vector<window::Observation> TargetRuntime::TrackSeries(signals::SelectedPage& page) {
  std::vector<window::Observation> observations;
  observations.reserve(page.series.size());
  for (signals::RawSeries& series : page.series) {
    if (!tracked_.contains(series.key)) {
      const size_t bytes = SeriesBytes(series);
      if (tracked_.size() >= kMaxSeriesPerTarget ||
          series_bytes_ + bytes > context_->config.poll.max_series_bytes) {
        ++status_.dropped_series_total;
        continue;
      }
      series_bytes_ += bytes;
      tracked_.insert(series.key);
      evaluator_->Track(series);
    }
    observations.push_back({std::move(series.key), series.value});
  }
  return observations;
}

void TargetRuntime::LogPageProblems(const signals::SelectedPage& page, size_t dropped) {
  Logger& logger = context_->logger;
  if (page.parse.bad_lines > 0) {
    const auto& first = page.parse.errors.front();
    logger.Log(page.parse.bad_lines != last_bad_lines_ ? LogLevel::kWarn : LogLevel::kDebug,
               "skipped malformed lines",
               {{"target", name_},
                {"count", std::to_string(page.parse.bad_lines)},
                {"first_line", std::to_string(first.line)},
                {"first_error", first.message}});
  }
  last_bad_lines_ = page.parse.bad_lines;
  if (page.duplicate_series > 0) {
    logger.Log(page.duplicate_series != last_duplicates_ ? LogLevel::kWarn : LogLevel::kDebug,
               "ignored series that appear more than once on the page",
               {{"target", name_},
                {"count", std::to_string(page.duplicate_series)},
                {"first", ForLog(page.first_duplicate)}});
  }
  last_duplicates_ = page.duplicate_series;
  if (dropped > 0) {
    logger.Log(last_dropped_ ? LogLevel::kDebug : LogLevel::kWarn,
               "not tracking new series: the target holds the maximum",
               {{"target", name_},
                {"dropped", std::to_string(dropped)},
                {"series", std::to_string(tracked_.size())},
                {"max_series", std::to_string(kMaxSeriesPerTarget)},
                {"series_bytes", std::to_string(series_bytes_)},
                {"max_series_bytes", std::to_string(context_->config.poll.max_series_bytes)}});
  }
  last_dropped_ = dropped > 0;
}

bool TargetRuntime::DetectReset(const signals::SelectedPage& page) {
  std::vector<window::CounterReading> readings;
  readings.reserve(page.counters.size());
  for (const signals::CounterSample& counter : page.counters) {
    readings.push_back({counter.id, counter.value});
  }
  // The series texts are views into the poll's body, which outlives this call.
  const window::ResetCheck check = resets_.Observe(
      page.uptime_ms, readings, [&](size_t index) { return ForLog(page.counters[index].series); });
  const size_t over_cap = resets_.stats().over_cap;
  if (over_cap > 0 && !last_counters_over_cap_) {
    context_->logger.Warn("not watching every counter of the page for resets: too many",
                          {{"target", name_},
                           {"counters", std::to_string(readings.size())},
                           {"max_counters", std::to_string(window::ResetDetector::kMaxCounters)}});
  }
  last_counters_over_cap_ = over_cap > 0;
  if (check.verdict == window::ResetVerdict::kNone) return false;
  if (check.verdict == window::ResetVerdict::kRestart) {
    ++status_.restarts_total;
    context_->logger.Info("node restarted: every counter starts again from zero",
                          {{"target", name_}, {"node", page.node}, {"evidence", check.evidence}});
  } else {
    ++status_.metrics_resets_total;
    context_->logger.Info("node's counters were reset: every counter starts again from zero",
                          {{"target", name_}, {"node", page.node}, {"evidence", check.evidence}});
  }
  return true;
}

void TargetRuntime::RecordSuccess(const poll::PollResult& result, signals::SelectedPage page) {
  const uint64_t dropped_before = status_.dropped_series_total;
  if (!page.node.empty()) evaluator_->SetPageNode(page.node);
  const bool counters_reset = DetectReset(page);
  const std::vector<window::Observation> observations = TrackSeries(page);
  history_.RecordSuccess(result.finished, page.uptime_ms, observations, counters_reset);
  if (writer_) {
    journal_observations_ = observations;
    journal_uptime_ = page.uptime_ms;
    journal_counters_reset_ = counters_reset;
  }
  LogPageProblems(page, status_.dropped_series_total - dropped_before);

  if (!status_.up) context_->logger.Info("target up", {{"target", name_}, {"node", page.node}});
  status_.polled = true;
  status_.up = true;
  status_.last_error.clear();
  status_.last_poll_duration_seconds = Seconds(result.finished - result.started);
  status_.last_success_unix_seconds =
      std::chrono::duration<double>(context_->clock.WallNow().time_since_epoch()).count();
  ++status_.polls_total;
  status_.bad_lines_total += page.parse.bad_lines;
  status_.rejected_values_total += page.rejected_values;
  status_.duplicate_series_total += page.duplicate_series;
  status_.prefix = page.prefix;
  if (!page.node.empty()) status_.node = page.node;
}

bool TargetRuntime::Restore(const storage::LoadedState& saved, std::string* error) {
  const std::shared_ptr<const TargetContext> context = CurrentContext();
  std::optional<window::TargetHistory> history = window::TargetHistory::FromImage(
      WindowLengths(context->config), MaxGap(context->config.poll), saved.snapshot.history, error);
  if (!history) return false;
  for (const storage::JournalEntry& entry : saved.journal) {
    if (entry.success) {
      history->RecordSuccess(entry.time, entry.uptime_ms, entry.observations, entry.counters_reset);
    } else {
      history->RecordFailure(entry.time);
    }
  }
  // The snapshot's reset baseline still tells a reset after it unless the journal saw one
  // (counters only grow between resets): then the next page is the detector's first.
  const window::HistoryImage::Counters& before = saved.snapshot.history.counters;
  const window::HistoryStats after = history->stats();
  const bool reset_since = after.restarts_detected != before.restarts_detected ||
                           after.counter_resets != before.counter_resets;
  std::lock_guard lock(mu_);
  history_ = std::move(*history);
  if (saved.snapshot.resets && !reset_since) resets_.Adopt(*saved.snapshot.resets);
  alerts_->Restore(saved.journal.empty() ? saved.snapshot.alerts : saved.journal.back().alerts);
  sequence_ = saved.journal.empty() ? saved.snapshot.sequence : saved.journal.back().sequence;
  return true;
}

void TargetRuntime::Persist(std::shared_ptr<storage::TargetWriter> writer) {
  std::lock_guard lock(mu_);
  writer_ = std::move(writer);
  writer_->Snapshot(StateLocked());
}

void TargetRuntime::SaveSnapshot(bool durable) {
  std::lock_guard lock(mu_);
  if (writer_) writer_->Snapshot(StateLocked(), durable);
}

storage::TargetState TargetRuntime::StateLocked() const {
  return {
      {name_, status_.url}, sequence_, history_.Export(), alerts_->States(), resets_.Baseline()};
}

void TargetRuntime::Journal(const poll::PollResult& result, bool success) {
  storage::JournalEntry entry{
      ++sequence_,
      result.finished,
      success,
      success ? journal_uptime_ : std::nullopt,
      success ? std::move(journal_observations_) : std::vector<window::Observation>{},
      success && journal_counters_reset_,
      alerts_->States()};
  journal_observations_.clear();
  writer_->Append(std::move(entry));
  if (writer_->WantsSnapshot()) writer_->Snapshot(StateLocked());
}

}  // namespace vmq::app
