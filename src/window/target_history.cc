#include "window/target_history.h"

#include <algorithm>
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

// LEB128: 7 bits a byte, low bits first, high bit set on every byte but the last.
void PushVarint(detail::ByteQueue& queue, uint64_t value, size_t expected_size = 0) {
  while (value >= 0x80) {
    queue.Push(static_cast<uint8_t>(value | 0x80), expected_size);
    value >>= 7;
  }
  queue.Push(static_cast<uint8_t>(value), expected_size);
}

uint64_t ReadVarint(const detail::ByteQueue& queue, uint64_t& position) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const uint8_t byte = queue.at(position++);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return value;
}

uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
int64_t UnZigZag(uint64_t value) { return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1)); }

// A poll record: how much the time since the previous record differs from the time between
// the two records before (polls on a schedule differ by their jitter only), zigzag-encoded,
// and the success flag. The first byte holds the flag (bit 0), 6 bits of the difference and
// a continuation bit; the rest of the difference follows as LEB128. At most 10 bytes; 3 for
// a difference within +-0.5 ms, 4 within +-67 ms.
void PushRecord(detail::ByteQueue& queue, int64_t delta_change, bool success,
                size_t expected_size) {
  const uint64_t change = ZigZag(delta_change);
  const uint64_t rest = change >> 6;
  queue.Push(
      static_cast<uint8_t>((success ? 1u : 0u) | ((change & 0x3f) << 1) | (rest != 0 ? 0x80u : 0u)),
      expected_size);
  if (rest != 0) PushVarint(queue, rest, expected_size);
}

// While the history fills, the size a queue will have once it holds the longest window:
// its bytes per record so far times the records it will hold at the rate seen so far. Growing
// towards that size in a few steps instead of many leaves a shorter trail of freed buffers
// behind; at most 4 times the current size per step, so that a few large early entries do
// not reserve much more than the window will need.
size_t ExpectedSize(const detail::ByteQueue& queue, size_t records, double expected_records) {
  if (records == 0 || expected_records <= static_cast<double>(records)) return 0;
  const double held = static_cast<double>(queue.end() - queue.begin());
  const double expected = held / static_cast<double>(records) * expected_records;
  return std::min(static_cast<size_t>(expected + expected / 32 + 16), 4 * queue.allocated() + 64);
}

}  // namespace

namespace detail {

void ByteQueue::Push(uint8_t byte, size_t expected_size) {
  if (bytes_.size() == bytes_.capacity()) MakeRoom(expected_size);
  bytes_.push_back(byte);
}

// Either moves the held bytes to the front of the buffer, when enough was dropped to make
// that worth it, or grows the buffer by an eighth (or to the size expected): the buffer
// settles at a few percent above what is held instead of up to twice as std::vector's
// doubling would.
void ByteQueue::MakeRoom(size_t expected_size) {
  const size_t dropped = begin_ - base_;
  const size_t held = bytes_.size() - dropped;
  if (dropped > 0 && dropped >= held / 64) {
    Compact(held + held / 4 + 64);
    return;
  }
  bytes_.reserve(std::max(bytes_.capacity() + bytes_.capacity() / 8 + 16, expected_size));
}

void ByteQueue::DropBefore(uint64_t position) {
  if (position == begin_) return;
  begin_ = position;
  // A burst of large increases has aged out: give the memory back.
  const size_t held = end() - begin_;
  if (bytes_.capacity() > 256 && held <= bytes_.capacity() / 2) Compact(held);
}

// Moves the held bytes to the front of the buffer; reallocates it when it is larger than
// `largest_kept`.
void ByteQueue::Compact(size_t largest_kept) {
  bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<ptrdiff_t>(begin_ - base_));
  base_ = begin_;
  if (bytes_.capacity() <= largest_kept) return;
  std::vector<uint8_t> smaller;
  smaller.reserve(bytes_.size() + bytes_.size() / 16 + 16);
  smaller.assign(bytes_.begin(), bytes_.end());
  bytes_.swap(smaller);
}

}  // namespace detail

TargetHistory::TargetHistory(std::vector<Millis> windows, Millis max_gap)
    : window_lengths_(std::move(windows)), max_gap_(std::max(max_gap, Millis::zero())) {
  for (const Millis window : window_lengths_) {
    longest_window_ = std::max(longest_window_, window);
    windows_.push_back({window, {}, Ticks::zero()});
  }
}

void TargetHistory::RecordSuccess(MonoTime time, std::optional<uint64_t> uptime_ms,
                                  std::span<const Observation> observations, bool counters_reset) {
  if (!AcceptTime(time)) return;
  const bool uptime_went_down = IsRestart(uptime_ms);
  if (uptime_went_down) ++stats_.restarts_detected;
  // A node-wide counter reset counts like a restart (minimal form; issue 10, window part).
  const bool restart = uptime_went_down || counters_reset;
  ++successful_polls_;
  AppendRecord(time, true);
  for (const Observation& observation : observations) ObserveSeries(observation, restart);
  last_success_ = SuccessfulPoll{time, uptime_ms};
  Slide(true, restart);
}

void TargetHistory::RecordFailure(MonoTime time) {
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
    if (covered_span && window.tail.position != records_.end()) window.covered += delta;
  }
  PushRecord(records_, (delta - latest_delta_).count(), success,
             ExpectedSize(records_, record_count_, ExpectedRecords()));
  latest_delta_ = delta;
  ++record_count_;
  latest_record_ = time;
  latest_success_ = success;
}

void TargetHistory::ObserveSeries(const Observation& observation, bool restart) {
  const uint64_t poll = successful_polls_;
  const auto it = index_.find(std::string_view(observation.series));
  uint64_t increase = 0;
  SeriesState* state = nullptr;
  if (it == index_.end()) {
    index_.emplace(observation.series, static_cast<uint32_t>(series_.size()));
    state = &series_.emplace_back();
    state->first_poll = poll;
    state->windows.resize(windows_.size());
    // The baseline has nothing to compare with; after it, a new series was created (at 0)
    // since the previous poll.
    if (poll > 1) increase = observation.value;
  } else {
    state = &series_[it->second];
    increase = ObservedIncrease(*state, observation.value, restart);
  }
  state->last_value = observation.value;
  state->last_seen_poll = poll;
  state->pending += increase;  // a series listed twice on one page: both increases count
}

uint64_t TargetHistory::ObservedIncrease(SeriesState& state, uint64_t value, bool restart) {
  if (restart) return value;
  if (value < state.last_value) {
    ++stats_.counter_resets;
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
    while (window.tail.position != records_.end()) {
      const Record record = Peek(window.tail);
      if (record.time > begin) break;
      Pass(window.tail, record);
      if (window.tail.position != records_.end()) {
        window.covered -= SpanLength(window.tail, Peek(window.tail));
      }
    }
    moved = moved || window.tail.next_poll != tails_before.back();
  }
  const uint64_t front_before = front_.next_poll;
  const size_t records_before = record_count_;
  const MonoTime cutoff = latest - longest_window_ - max_gap_;
  while (front_.position != records_.end()) {
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
    // After a restart, a series missing from the page restarted at 0 like the rest.
    if (restart && state.last_seen_poll != successful_polls_) state.last_value = 0;
    PushVarint(state.increases, state.pending,
               ExpectedSize(state.increases, successful_polls_ - state.first_poll, expected_polls));
    if (state.pending != 0) ++stats_.stored_increments;
    for (SeriesWindow& window : state.windows) window.sum += state.pending;
    state.pending = 0;
  }
  for (size_t w = 0; w < windows_.size(); ++w) {
    SeriesWindow& window = state.windows[w];
    const uint64_t to = std::max(windows_[w].tail.next_poll, state.first_poll);
    for (uint64_t poll = std::max(tails_before[w], state.first_poll); poll < to; ++poll) {
      window.sum -= ReadVarint(state.increases, window.position);
    }
  }
  const uint64_t keep_from = std::max(front_.next_poll, state.first_poll);
  if (front_.next_poll == front_before || keep_from == state.first_poll) return;
  uint64_t position = state.increases.begin();
  for (uint64_t poll = state.first_poll; poll < keep_from; ++poll) {
    if (ReadVarint(state.increases, position) != 0) --stats_.stored_increments;
  }
  state.increases.DropBefore(position);
  state.first_poll = keep_from;
}

TargetHistory::Record TargetHistory::Peek(const RecordCursor& cursor) const {
  uint64_t position = cursor.position;
  const uint8_t first = records_.at(position++);
  uint64_t change = (first >> 1) & 0x3f;
  if ((first & 0x80) != 0) change |= ReadVarint(records_, position) << 6;
  const Ticks delta = cursor.previous_delta + Ticks(UnZigZag(change));
  return {cursor.previous_time + delta, delta, (first & 1) != 0, position};
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
  uint64_t position = state.windows[window].position;
  const MonoTime begin = now - windows_[window].length;
  while (tail.position != records_.end()) {
    const Record record = Peek(tail);
    if (record.time > begin) break;
    if (record.success && tail.next_poll >= state.first_poll) {
      sum -= ReadVarint(state.increases, position);
    }
    Pass(tail, record);
  }
  return sum;
}

uint64_t TargetHistory::ScanIncrease(const SeriesState& state, Millis window, MonoTime now) const {
  const MonoTime begin = now - window;
  RecordCursor cursor = front_;
  uint64_t position = state.increases.begin();
  uint64_t sum = 0;
  while (cursor.position != records_.end()) {
    const Record record = Peek(cursor);
    if (record.time > now) break;
    if (record.success && cursor.next_poll >= state.first_poll) {
      const uint64_t amount = ReadVarint(state.increases, position);
      if (record.time > begin) sum += amount;
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
  while (tail.position != records_.end()) {
    const Record record = Peek(tail);
    if (record.time > begin) {
      // The record before the tail is at or before begin.
      if (SpanLength(tail, record) > Ticks::zero()) covered += record.time - begin;
      break;
    }
    Pass(tail, record);
    if (tail.position != records_.end()) covered -= SpanLength(tail, Peek(tail));
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
  while (cursor.position != records_.end()) {
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

}  // namespace vmq::window
