#include "window/target_history.h"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

namespace vmq::window {
namespace {

using Ticks = MonoTime::duration;

// Length of the part of (begin, end] that lies inside (window_begin, window_end].
Ticks Overlap(MonoTime begin, MonoTime end, MonoTime window_begin, MonoTime window_end) {
  const MonoTime from = std::max(begin, window_begin);
  const MonoTime to = std::min(end, window_end);
  return to > from ? to - from : Ticks::zero();
}

uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
int64_t UnZigZag(uint64_t value) { return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1)); }

// Poll times are kept to the millisecond, rounded down: a record's interval is then a small
// integer, and window edges are precise to one poll interval anyway.
MonoTime Stored(MonoTime time) {
  return MonoTime(std::chrono::floor<Millis>(time.time_since_epoch()));
}

// A poll record: how much the time since the previous record differs from the time between
// the two records before (polls on a schedule differ by their jitter only), in milliseconds,
// zigzag; a failed poll is preceded by a marker.
void PushRecord(detail::CodedStream& stream, int64_t delta_change_ms, bool success,
                size_t expected_size) {
  if (!success) stream.PushMarker(expected_size);
  stream.Push(ZigZag(delta_change_ms), expected_size);
}

// While the history fills, the size a queue will have once it holds the longest window:
// its bytes per record so far times the records it will hold at the rate seen so far. Growing
// towards that size in a few steps instead of many leaves a shorter trail of freed buffers
// behind; at most 4 times the current size per step, so that a few large early entries do
// not reserve much more than the window will need.
size_t ExpectedSize(const detail::CodedStream& stream, size_t records, double expected_records) {
  if (records == 0 || expected_records <= static_cast<double>(records)) return 0;
  const double held = static_cast<double>(stream.held_bytes());
  const double expected = held / static_cast<double>(records) * expected_records;
  return std::min(static_cast<size_t>(expected + expected / 32 + 16), 4 * stream.allocated() + 64);
}

}  // namespace

TargetHistory::TargetHistory(std::vector<Millis> windows, Millis max_gap)
    : window_lengths_(std::move(windows)), max_gap_(std::max(max_gap, Millis::zero())) {
  for (const Millis window : window_lengths_) {
    longest_window_ = std::max(longest_window_, window);
    windows_.push_back({window, {}, Ticks::zero(), false});
  }
}

void TargetHistory::RecordSuccess(MonoTime time, std::optional<uint64_t> uptime_ms,
                                  std::span<const Observation> observations, bool counters_reset) {
  time = Stored(time);
  if (!AcceptTime(time)) return;
  const bool restart = IsRestart(uptime_ms);
  const bool reset_all = restart || counters_reset;
  ++successful_polls_;
  AppendRecord(time, true);
  saw_decrease_ = false;
  for (const Observation& observation : observations) ObserveSeries(observation, reset_all);
  if (restart) {
    ++stats_.restarts_detected;
  } else if (counters_reset || saw_decrease_) {
    ++stats_.counter_resets;
  }
  last_success_ = SuccessfulPoll{time, uptime_ms};
  Slide(true, reset_all);
}

void TargetHistory::RecordFailure(MonoTime time) {
  time = Stored(time);
  if (!AcceptTime(time)) return;
  AppendRecord(time, false);
  Slide(false, false);
}

bool TargetHistory::AcceptTime(MonoTime time) {
  if (latest_record_ && time < *latest_record_) {
    ++stats_.out_of_order_records;
    return false;
  }
  return true;
}

bool TargetHistory::IsRestart(std::optional<uint64_t> uptime_ms) const {
  return last_success_ && last_success_->uptime_ms && uptime_ms &&
         *uptime_ms < *last_success_->uptime_ms;
}

void TargetHistory::AppendRecord(MonoTime time, bool success) {
  if (!latest_record_) {  // cursors decode the first record against its own time
    front_.previous_time = time;
    for (WindowState& window : windows_) window.tail.previous_time = time;
  }
  const Ticks delta = latest_record_ ? time - *latest_record_ : Ticks::zero();
  const bool covered_span = latest_record_ && latest_success_ && success && delta <= max_gap_;
  for (WindowState& window : windows_) {
    // The span ending here has both ends in the window unless the tail is this record.
    if (covered_span && !records_.at_end(window.tail.position)) window.covered += delta;
  }
  PushRecord(records_, std::chrono::duration_cast<Millis>(delta - latest_delta_).count(), success,
             ExpectedSize(records_, record_count_, ExpectedRecords()));
  latest_delta_ = delta;
  ++record_count_;
  latest_record_ = time;
  latest_success_ = success;
}

TargetHistory::SeriesState& TargetHistory::AddSeries(std::string key) {
  index_.emplace(std::move(key), static_cast<uint32_t>(series_.size()));
  SeriesState& state = series_.emplace_back();
  state.first_poll = successful_polls_;
  state.windows.resize(windows_.size());
  return state;
}

void TargetHistory::ObserveSeries(const Observation& observation, bool reset_all) {
  const uint64_t poll = successful_polls_;
  const auto it = index_.find(std::string_view(observation.series));
  uint64_t increase = 0;
  SeriesState* state = nullptr;
  if (it == index_.end()) {
    state = &AddSeries(observation.series);
    // The baseline has nothing to compare with; after it, a new series was created (at 0)
    // since the previous poll.
    if (poll > 1) increase = observation.value;
  } else {
    state = &series_[it->second];
    increase = ObservedIncrease(*state, observation.value, reset_all);
  }
  state->last_value = observation.value;
  state->last_seen_poll = poll;
  state->pending += increase;  // a series listed twice on one page: both increases count
}

uint64_t TargetHistory::ObservedIncrease(SeriesState& state, uint64_t value, bool reset_all) {
  if (reset_all) return value;
  if (value < state.last_value) {
    saw_decrease_ = true;
    return value;
  }
  return value - state.last_value;
}

// Moves every window's tail past the records that are no longer inside it, drops what no
// query at the latest record or later can need (records and increases older than the
// longest window + max_gap: a span that starts there and is at most max_gap long may still
// reach into the window), and brings every series along.
void TargetHistory::Slide(bool recorded_success, bool restart) {
  const MonoTime latest = *latest_record_;
  std::vector<uint64_t> tails_before;
  tails_before.reserve(windows_.size());
  bool moved = false;
  for (WindowState& window : windows_) {
    tails_before.push_back(window.tail.next_poll);
    const MonoTime begin = latest - window.length;
    while (!records_.at_end(window.tail.position)) {
      const Record record = Peek(window.tail);
      if (record.time > begin) break;
      Pass(window.tail, record);
      if (!records_.at_end(window.tail.position)) {
        window.covered -= SpanLength(window.tail, Peek(window.tail));
      }
    }
    window.tail_gap = TailPollIsGap(window.tail);
    moved = moved || window.tail.next_poll != tails_before.back();
  }
  const uint64_t front_before = front_.next_poll;
  const size_t records_before = record_count_;
  const MonoTime cutoff = latest - longest_window_ - max_gap_;
  while (!records_.at_end(front_.position)) {
    const Record record = Peek(front_);
    if (record.time >= cutoff) break;
    Pass(front_, record);
    --record_count_;
  }
  records_.DropBefore(front_.position);
  if (record_count_ != records_before) filled_ = true;
  moved = moved || front_.next_poll != front_before;
  if (!recorded_success && !moved) return;
  // Successful polls held, and how many there will be once the longest window is held.
  const uint64_t polls_held = successful_polls_ + 1 - front_.next_poll;
  const double expected_polls =
      ExpectedRecords() * static_cast<double>(polls_held) / static_cast<double>(record_count_);
  for (SeriesState& state : series_) {
    UpdateSeries(state, recorded_success, restart, tails_before, front_before, expected_polls);
  }
}

// Records held once the longest window is, at the mean interval seen so far; never more
// than polls every max_gap / 2 would leave (the exporter's timeout is below its interval, so
// its polls are at least that far apart): only a hint for reserving memory.
double TargetHistory::ExpectedRecords() const {
  if (filled_ || record_count_ < 2) return 0.0;
  const Ticks span = *latest_record_ - Peek(front_).time;
  if (span <= Ticks::zero()) return 0.0;
  const auto held =
      static_cast<double>(std::chrono::duration_cast<Ticks>(longest_window_ + max_gap_).count());
  const double at_mean_interval =
      held / static_cast<double>(span.count()) * static_cast<double>(record_count_ - 1) + 1.0;
  const auto gap = static_cast<double>(std::chrono::duration_cast<Ticks>(max_gap_).count());
  return gap > 0 ? std::min(at_mean_interval, 2 * held / gap + 2) : at_mean_interval;
}

void TargetHistory::UpdateSeries(SeriesState& state, bool recorded_success, bool restart,
                                 std::span<const uint64_t> tails_before, uint64_t front_before,
                                 double expected_polls) {
  if (recorded_success) {
    // After a node-wide reset, a series missing from the page restarted at 0 like the rest.
    if (restart && state.last_seen_poll != successful_polls_) state.last_value = 0;
    state.increases.Push(
        state.pending,
        ExpectedSize(state.increases, successful_polls_ - state.first_poll, expected_polls));
    if (state.pending != 0) ++stats_.stored_increments;
    for (SeriesWindow& window : state.windows) window.sum += state.pending;
    state.pending = 0;
  }
  for (size_t w = 0; w < windows_.size(); ++w) {
    SeriesWindow& window = state.windows[w];
    const uint64_t to = std::max(windows_[w].tail.next_poll, state.first_poll);
    for (uint64_t poll = std::max(tails_before[w], state.first_poll); poll < to; ++poll) {
      window.sum -= state.increases.Read(window.position);
    }
  }
  const uint64_t keep_from = std::max(front_.next_poll, state.first_poll);
  if (front_.next_poll == front_before || keep_from == state.first_poll) return;
  detail::StreamPosition position = state.increases.begin();
  for (uint64_t poll = state.first_poll; poll < keep_from; ++poll) {
    if (state.increases.Read(position) != 0) --stats_.stored_increments;
  }
  state.increases.DropBefore(position);
  state.first_poll = keep_from;
}

TargetHistory::Record TargetHistory::Peek(const RecordCursor& cursor) const {
  detail::StreamPosition position = cursor.position;
  const bool failure = records_.SkipMarker(position);
  const Ticks delta = cursor.previous_delta + Millis(UnZigZag(records_.Read(position)));
  return {cursor.previous_time + delta, delta, !failure, position};
}

void TargetHistory::Pass(RecordCursor& cursor, const Record& record) {
  cursor.position = record.next_position;
  cursor.previous_time = record.time;
  cursor.previous_delta = record.delta;
  cursor.has_previous = true;
  cursor.previous_success = record.success;
  if (record.success) ++cursor.next_poll;
}

// The covered length of the span between the record before the cursor and `record` (the
// record at the cursor): both successful polls, no record between, at most max_gap apart.
TargetHistory::Ticks TargetHistory::SpanLength(const RecordCursor& cursor,
                                               const Record& record) const {
  if (!cursor.has_previous || !cursor.previous_success || !record.success) return Ticks::zero();
  const Ticks length = record.time - cursor.previous_time;
  return length <= max_gap_ ? length : Ticks::zero();
}

// Whether the span ending at `record` (the record at the cursor) is joined: it and the record
// before are successful polls at most max_gap apart.
bool TargetHistory::Joined(const RecordCursor& cursor, const Record& record) const {
  return cursor.has_previous && cursor.previous_success && record.success &&
         record.time - cursor.previous_time <= max_gap_;
}

// Whether the first successful poll at or after the tail observed its increase across a gap
// span: then that span starts before the tail, outside the window, and the increase does not
// count there.
bool TargetHistory::TailPollIsGap(const RecordCursor& tail) const {
  if (records_.at_end(tail.position)) return false;
  const Record record = Peek(tail);
  return !record.success || !Joined(tail, record);
}

// What a running sum from the tail's poll on counts that the gap rule leaves out: the tail
// poll's increase when it is a gap poll. `position` is the offset of that increase.
uint64_t TargetHistory::GapCorrection(const SeriesState& state, const RecordCursor& tail,
                                      detail::StreamPosition position, bool tail_gap) const {
  if (!tail_gap || tail.next_poll < state.first_poll || tail.next_poll > successful_polls_) {
    return 0;
  }
  return state.increases.Read(position);
}

const TargetHistory::WindowState* TargetHistory::FindWindow(Millis length) const {
  for (const WindowState& window : windows_) {
    if (window.length == length) return &window;
  }
  return nullptr;
}

uint64_t TargetHistory::Increase(std::string_view series, Millis window, MonoTime now) const {
  const auto it = index_.find(series);
  if (it == index_.end()) return 0;
  return IncreaseOf(series_[it->second], window, now);
}

void TargetHistory::Increases(std::string_view series, MonoTime now,
                              std::span<uint64_t> out) const {
  const auto it = index_.find(series);
  for (size_t w = 0; w < out.size() && w < window_lengths_.size(); ++w) {
    out[w] = it == index_.end() ? 0 : IncreaseOf(series_[it->second], window_lengths_[w], now);
  }
}

uint64_t TargetHistory::IncreaseOf(const SeriesState& state, Millis window, MonoTime now) const {
  if (latest_record_ && now >= *latest_record_) {
    for (size_t w = 0; w < windows_.size(); ++w) {
      if (windows_[w].length == window) return FastIncrease(state, w, now);
    }
  }
  return ScanIncrease(state, window, now);
}

// The window's running sum, less the polls that left it between the latest record and now.
uint64_t TargetHistory::FastIncrease(const SeriesState& state, size_t window, MonoTime now) const {
  RecordCursor tail = windows_[window].tail;
  uint64_t sum = state.windows[window].sum;
  detail::StreamPosition position = state.windows[window].position;
  const MonoTime begin = now - windows_[window].length;
  bool moved = false;
  while (!records_.at_end(tail.position)) {
    const Record record = Peek(tail);
    if (record.time > begin) break;
    if (record.success && tail.next_poll >= state.first_poll) {
      sum -= state.increases.Read(position);
    }
    Pass(tail, record);
    moved = true;
  }
  const bool tail_gap = moved ? TailPollIsGap(tail) : windows_[window].tail_gap;
  return sum - GapCorrection(state, tail, position, tail_gap);
}

uint64_t TargetHistory::ScanIncrease(const SeriesState& state, Millis window, MonoTime now) const {
  const MonoTime begin = now - window;
  RecordCursor cursor = front_;
  detail::StreamPosition position = state.increases.begin();
  uint64_t sum = 0;
  // The previous successful poll, where a gap span starts; unknown when it was dropped (then
  // it is before any window this can answer).
  std::optional<MonoTime> last_success;
  if (cursor.has_previous && cursor.previous_success) last_success = cursor.previous_time;
  while (!records_.at_end(cursor.position)) {
    const Record record = Peek(cursor);
    if (record.time > now) break;
    if (record.success) {
      if (cursor.next_poll >= state.first_poll) {
        const uint64_t amount = state.increases.Read(position);
        const std::optional<MonoTime> placed = Joined(cursor, record) ? record.time : last_success;
        if (placed && *placed > begin) sum += amount;
      }
      last_success = record.time;
    }
    Pass(cursor, record);
  }
  return sum;
}

double TargetHistory::Coverage(Millis window, MonoTime now) const {
  if (window <= Millis::zero()) return 0.0;
  const WindowState* running =
      latest_record_ && now >= *latest_record_ ? FindWindow(window) : nullptr;
  const Ticks covered = running ? FastCoverage(*running, now) : ScanCoverage(window, now);
  const Ticks length = std::chrono::duration_cast<Ticks>(window);
  return static_cast<double>(covered.count()) / static_cast<double>(length.count());
}

// The window's covered spans, less those that left it between the latest record and now,
// plus the span that straddles its start and the span from the latest record to now.
TargetHistory::Ticks TargetHistory::FastCoverage(const WindowState& window, MonoTime now) const {
  RecordCursor tail = window.tail;
  Ticks covered = window.covered;
  const MonoTime begin = now - window.length;
  while (!records_.at_end(tail.position)) {
    const Record record = Peek(tail);
    if (record.time > begin) {
      // The record before the tail is at or before begin.
      if (SpanLength(tail, record) > Ticks::zero()) covered += record.time - begin;
      break;
    }
    Pass(tail, record);
    if (!records_.at_end(tail.position)) covered -= SpanLength(tail, Peek(tail));
  }
  if (latest_success_ && now - *latest_record_ <= max_gap_) {
    covered += now - std::max(*latest_record_, begin);
  }
  return covered;
}

// The rules of the header applied to every record held.
TargetHistory::Ticks TargetHistory::ScanCoverage(Millis window, MonoTime now) const {
  const MonoTime window_begin = now - window;
  // Spans that start before this cannot be covered and reach into the window.
  const MonoTime scan_begin = window_begin - max_gap_;
  Ticks covered = Ticks::zero();
  std::optional<MonoTime> previous_success;
  bool failed_since = false;
  RecordCursor cursor = front_;
  while (!records_.at_end(cursor.position)) {
    const Record record = Peek(cursor);
    if (record.time > now) break;
    Pass(cursor, record);
    if (record.time < scan_begin) continue;
    if (!record.success) {
      failed_since = true;
      continue;
    }
    if (previous_success && !failed_since && record.time - *previous_success <= max_gap_) {
      covered += Overlap(*previous_success, record.time, window_begin, now);
    }
    previous_success = record.time;
    failed_since = false;
  }
  if (previous_success && !failed_since && now - *previous_success <= max_gap_) {
    covered += Overlap(*previous_success, now, window_begin, now);
  }
  return covered;
}

size_t TargetHistory::series_count() const { return series_.size(); }

HistoryStats TargetHistory::stats() const {
  HistoryStats stats = stats_;
  stats.stored_poll_records = record_count_;
  size_t bytes = records_.allocated() + windows_.capacity() * sizeof(WindowState) +
                 series_.capacity() * sizeof(SeriesState) + index_.bucket_count() * sizeof(void*);
  for (const SeriesState& state : series_) {
    bytes += state.increases.allocated() + state.windows.capacity() * sizeof(SeriesWindow);
  }
  // A map node: the key's characters, the key and index, the next pointer and cached hash.
  for (const auto& [key, id] : index_) {
    bytes += key.size() + sizeof(std::pair<const std::string, uint32_t>) + 2 * sizeof(void*);
  }
  stats.stored_bytes = bytes;
  return stats;
}

void TargetHistory::ForEachSeries(
    const std::function<void(const std::string& series)>& visit) const {
  for (const auto& [name, id] : index_) visit(name);
}

HistoryImage TargetHistory::Export() const {
  HistoryImage image;
  image.records.reserve(record_count_ + 1);
  if (front_.has_previous) image.records.push_back({front_.previous_time, front_.previous_success});
  for (RecordCursor cursor = front_; !records_.at_end(cursor.position);) {
    const Record record = Peek(cursor);
    image.records.push_back({record.time, record.success});
    Pass(cursor, record);
  }
  if (last_success_) image.last_uptime_ms = last_success_->uptime_ms;
  image.counters = {stats_.restarts_detected, stats_.counter_resets, stats_.out_of_order_records};
  image.series.reserve(series_.size());
  for (const auto& [key, id] : index_) {
    const SeriesState& state = series_[id];
    HistoryImage::Series& series = image.series.emplace_back();
    series.key = key;
    series.last_value = state.last_value;
    series.polls_since_seen = successful_polls_ - state.last_seen_poll;
    series.increases.reserve(successful_polls_ + 1 - state.first_poll);
    detail::StreamPosition position = state.increases.begin();
    while (!state.increases.at_end(position)) {
      series.increases.push_back(state.increases.Read(position));
    }
  }
  return image;
}

namespace {

// Bounds an image must keep so that no arithmetic on it can overflow: record times within
// +-2^61 ns (73 years) of the clock's epoch, so that differences fit, and series ordinals
// far from the end of uint64.
constexpr int64_t kMaxAbsTimeNs = int64_t{1} << 61;
constexpr uint64_t kMaxPollsSinceSeen = uint64_t{1} << 48;
constexpr size_t kMaxSeries = size_t{1} << 31;

}  // namespace

std::string TargetHistory::Validate(const std::vector<Millis>& windows, Millis max_gap,
                                    const HistoryImage& image) {
  for (const Millis window : windows) {
    if (window <= Millis::zero())
      return "window length " + std::to_string(window.count()) + " ms is not positive";
  }
  if (max_gap < Millis::zero()) return "negative max gap";
  uint64_t successes = 0;
  for (size_t i = 0; i < image.records.size(); ++i) {
    const int64_t ns = image.records[i].time.time_since_epoch().count();
    if (ns > kMaxAbsTimeNs || ns < -kMaxAbsTimeNs) {
      return "record " + std::to_string(i) + ": time out of range";
    }
    if (i > 0 && image.records[i].time < image.records[i - 1].time) {
      return "record " + std::to_string(i) + ": earlier than the record before it";
    }
    if (image.records[i].success) ++successes;
  }
  if (image.series.size() > kMaxSeries) return "too many series";
  std::unordered_set<std::string_view> keys;
  keys.reserve(image.series.size());
  for (const HistoryImage::Series& series : image.series) {
    if (series.key.empty()) return "a series with an empty key";
    if (!keys.insert(series.key).second) return "series listed twice: " + series.key.substr(0, 80);
    if (series.increases.size() > successes) {
      return "series " + series.key.substr(0, 80) + ": more increases than successful polls";
    }
    if (series.polls_since_seen > kMaxPollsSinceSeen) {
      return "series " + series.key.substr(0, 80) + ": polls_since_seen out of range";
    }
    // The polls that did not see the series observed nothing for it.
    const size_t unseen =
        static_cast<size_t>(std::min<uint64_t>(series.polls_since_seen, series.increases.size()));
    for (size_t i = series.increases.size() - unseen; i < series.increases.size(); ++i) {
      if (series.increases[i] != 0) {
        return "series " + series.key.substr(0, 80) + ": an increase at a poll that did not see it";
      }
    }
  }
  return {};
}

std::optional<TargetHistory> TargetHistory::FromImage(std::vector<Millis> windows, Millis max_gap,
                                                      const HistoryImage& image,
                                                      std::string* error) {
  if (std::string reason = Validate(windows, max_gap, image); !reason.empty()) {
    if (error != nullptr) *error = std::move(reason);
    return std::nullopt;
  }
  std::optional<TargetHistory> history(std::in_place, std::move(windows), max_gap);
  history->Restore(image);
  return history;
}

// Replays the records of a validated image as polls, each series joining at the poll of its
// oldest increase, so that every running sum, cursor and drop is what recording those polls
// would have left.
void TargetHistory::Restore(const HistoryImage& image) {
  uint64_t successes = 0;
  for (const HistoryImage::PollRecord& record : image.records) successes += record.success;
  const bool ever_succeeded =
      successes > 0 || !image.series.empty() || image.last_uptime_ms.has_value();
  // Ordinals start high enough for every series' last sighting to have one, and above 0 once
  // a poll has succeeded (the next poll is no baseline then).
  uint64_t base = ever_succeeded && successes == 0 ? 1 : 0;
  for (const HistoryImage::Series& series : image.series) {
    base = std::max(base, series.polls_since_seen);
  }
  successful_polls_ = base;
  front_.next_poll = base + 1;
  for (WindowState& window : windows_) window.tail.next_poll = base + 1;

  // Image series by the 1-based index, among the image's successful records, of the poll of
  // their oldest increase (successes + 1: no increase held).
  std::vector<size_t> order(image.series.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto joins_at = [&](size_t i) { return successes + 1 - image.series[i].increases.size(); };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return joins_at(a) < joins_at(b); });
  std::vector<const HistoryImage::Series*> joined;  // parallel to series_
  joined.reserve(order.size());
  size_t next = 0;
  uint64_t success_index = 0;
  for (const HistoryImage::PollRecord& record : image.records) {
    const MonoTime time = Stored(record.time);
    if (!record.success) {
      AppendRecord(time, false);
      Slide(false, false);
      continue;
    }
    ++successful_polls_;
    ++success_index;
    AppendRecord(time, true);
    while (next < order.size() && joins_at(order[next]) == success_index) {
      const HistoryImage::Series& series = image.series[order[next++]];
      AddSeries(series.key);
      joined.push_back(&series);
    }
    for (size_t i = 0; i < series_.size(); ++i) {
      const std::vector<uint64_t>& increases = joined[i]->increases;
      series_[i].pending = increases[increases.size() - (successes + 1 - success_index)];
    }
    last_success_ = SuccessfulPoll{time, std::nullopt};
    Slide(true, false);
  }
  for (; next < order.size(); ++next) {  // no increase held: they join at the next poll
    const HistoryImage::Series& series = image.series[order[next]];
    AddSeries(series.key).first_poll = successful_polls_ + 1;
    joined.push_back(&series);
  }
  for (size_t i = 0; i < series_.size(); ++i) {
    series_[i].last_value = joined[i]->last_value;
    series_[i].last_seen_poll = successful_polls_ - joined[i]->polls_since_seen;
  }
  if (ever_succeeded) {
    const MonoTime time = last_success_ ? last_success_->time : MonoTime{};
    last_success_ = SuccessfulPoll{time, image.last_uptime_ms};
  }
  stats_.restarts_detected = image.counters.restarts_detected;
  stats_.counter_resets = image.counters.counter_resets;
  stats_.out_of_order_records = image.counters.out_of_order_records;
}

}  // namespace vmq::window
