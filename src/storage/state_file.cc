#include "storage/state_file.h"

#include <boost/crc.hpp>

#include <chrono>
#include <cstring>
#include <limits>
#include <utility>

namespace vmq::storage {
namespace {

constexpr char kSnapshotMagic[8] = {'V', 'M', 'Q', 'S', 'T', 'A', 'T', 'E'};
constexpr char kJournalMagic[8] = {'V', 'M', 'Q', 'J', 'O', 'U', 'R', 'N'};
constexpr size_t kMagicBytes = 8;
constexpr size_t kVersionBytes = 4;
constexpr size_t kCrcBytes = 4;
// A poll recorded later than the clock by more than this was written by a clock that has
// since gone back; a little slack absorbs the two clock reads of a TimeMap.
constexpr int64_t kFutureSlackNanos = 1'000'000'000;
constexpr uint8_t kMaxAlertLevel = static_cast<uint8_t>(alerting::AlertLevel::kCritical);

uint32_t Crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
int64_t UnZigZag(uint64_t value) { return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1)); }

class Writer {
 public:
  void Bytes(std::string_view bytes) { out_.append(bytes); }
  void U32(uint32_t value) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  void Varint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>(value | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  void Signed(int64_t value) { Varint(ZigZag(value)); }
  void String(std::string_view text) {
    Varint(text.size());
    out_.append(text);
  }
  void OptionalU64(const std::optional<uint64_t>& value) {
    out_.push_back(value ? 1 : 0);
    if (value) Varint(*value);
  }
  void Crc() { U32(Crc32(out_)); }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Reads untrusted bytes: any read past the end, malformed varint or count larger than the
// bytes left sets the failure and returns zeros from then on.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t left() const { return bytes_.size() - position_; }
  bool at_end() const { return position_ == bytes_.size(); }
  void Fail(std::string error) {
    if (error_.empty()) error_ = std::move(error);
    position_ = bytes_.size();
  }

  std::string_view Bytes(size_t count) {
    if (!ok() || count > left()) {
      Fail("truncated");
      return {};
    }
    const std::string_view out = bytes_.substr(position_, count);
    position_ += count;
    return out;
  }
  uint32_t U32() {
    const std::string_view raw = Bytes(4);
    uint32_t value = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
      value |= static_cast<uint32_t>(static_cast<uint8_t>(raw[i])) << (8 * i);
    }
    return value;
  }
  uint8_t Byte() {
    const std::string_view raw = Bytes(1);
    return raw.empty() ? 0 : static_cast<uint8_t>(raw[0]);
  }
  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64 && ok(); shift += 7) {
      const uint8_t byte = Byte();
      if (shift == 63 && byte > 1) break;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    Fail("malformed varint");
    return 0;
  }
  int64_t Signed() { return UnZigZag(Varint()); }
  bool Bool() {
    const uint8_t byte = Byte();
    if (byte > 1) Fail("malformed flag");
    return byte == 1;
  }
  // A count of elements of at least `min_bytes` each: never more than the bytes left allow,
  // so that nothing is allocated for elements the file does not hold.
  size_t Count(size_t min_bytes) {
    const uint64_t count = Varint();
    if (count > left() / min_bytes) {
      Fail("count larger than the file");
      return 0;
    }
    return static_cast<size_t>(count);
  }
  std::string String() { return std::string(Bytes(Count(1))); }
  std::optional<uint64_t> OptionalU64() {
    if (!Bool()) return std::nullopt;
    return Varint();
  }

 private:
  std::string_view bytes_;
  size_t position_ = 0;
  std::string error_;
};

void WriteHeader(Writer& w, const char (&magic)[8], const TargetIdentity& target) {
  w.Bytes(std::string_view(magic, kMagicBytes));
  w.U32(kFormatVersion);
  w.String(target.name);
  w.String(target.url);
}

// Magic, version and CRC (of everything before the CRC's 4 bytes at `crc_end`).
std::optional<LoadError> CheckFrame(std::string_view bytes, const char (&magic)[8], size_t crc_end,
                                    uint32_t* version_found = nullptr) {
  if (bytes.size() < kMagicBytes + kVersionBytes ||
      std::memcmp(bytes.data(), magic, kMagicBytes) != 0) {
    return LoadError{LoadFailure::kCorrupt, "not a state file of this exporter (bad magic)"};
  }
  Reader version(bytes.substr(kMagicBytes, kVersionBytes));
  const uint32_t found = version.U32();
  if (found < kOldestReadableVersion || found > kFormatVersion) {
    return LoadError{LoadFailure::kVersion, "format version " + std::to_string(found) +
                                                ", this exporter reads " +
                                                std::to_string(kOldestReadableVersion) + " to " +
                                                std::to_string(kFormatVersion)};
  }
  if (version_found != nullptr) *version_found = found;
  if (crc_end + kCrcBytes > bytes.size() || crc_end < kMagicBytes + kVersionBytes) {
    return LoadError{LoadFailure::kCorrupt, "truncated"};
  }
  Reader crc(bytes.substr(crc_end, kCrcBytes));
  if (crc.U32() != Crc32(bytes.substr(0, crc_end))) {
    return LoadError{LoadFailure::kCorrupt, "checksum mismatch"};
  }
  return std::nullopt;
}

std::optional<LoadError> CheckTarget(Reader& r, const TargetIdentity& expected) {
  const std::string name = r.String();
  const std::string url = r.String();
  if (!r.ok()) return LoadError{LoadFailure::kCorrupt, r.error()};
  if (name != expected.name || url != expected.url) {
    return LoadError{LoadFailure::kOtherTarget,
                     "written for target " + name + " at " + url + ", not " + expected.url};
  }
  return std::nullopt;
}

void WriteResetBaseline(Writer& w, const std::optional<window::ResetBaseline>& baseline) {
  w.Varint(baseline ? 1 : 0);
  if (!baseline) return;
  w.OptionalU64(baseline->uptime_ms);
  w.Varint(baseline->counters.size());
  for (const window::CounterReading& counter : baseline->counters) {
    w.Varint(counter.id);
    w.Varint(counter.value);
  }
}

std::optional<window::ResetBaseline> ReadResetBaseline(Reader& r) {
  if (!r.Bool()) return std::nullopt;
  window::ResetBaseline baseline;
  baseline.uptime_ms = r.OptionalU64();
  const size_t count = r.Count(2);
  if (count > window::ResetDetector::kMaxCounters) r.Fail("more reset-baseline counters than kept");
  if (!r.ok()) return std::nullopt;
  baseline.counters.resize(count);
  for (window::CounterReading& counter : baseline.counters) {
    counter.id = r.Varint();
    counter.value = r.Varint();
  }
  return baseline;
}

void WriteAlerts(Writer& w, const std::vector<alerting::AlertSeriesState>& alerts) {
  w.Varint(alerts.size());
  for (const auto& alert : alerts) {
    w.String(alert.alert);
    w.String(alert.series.node);
    w.String(alert.series.mqtt_version);
    w.Varint(static_cast<uint64_t>(alert.level));
  }
}

std::vector<alerting::AlertSeriesState> ReadAlerts(Reader& r) {
  std::vector<alerting::AlertSeriesState> alerts(r.Count(4));
  for (auto& alert : alerts) {
    alert.alert = r.String();
    alert.series.node = r.String();
    alert.series.mqtt_version = r.String();
    const uint64_t level = r.Varint();
    if (level > kMaxAlertLevel) r.Fail("unknown alert level");
    alert.level = static_cast<alerting::AlertLevel>(level);
  }
  return alerts;
}

// A time read from a file, placed on the monotonic clock; fails on a time from the future.
MonoTime ReadTime(int64_t nanos, const TimeMap& times, bool* future) {
  const int64_t now = times.ToWallNanos(times.mono);
  if (nanos > now && nanos - now > kFutureSlackNanos) *future = true;
  return times.FromWallNanos(nanos);
}

void WriteObservations(Writer& w, const std::vector<window::Observation>& observations) {
  w.Varint(observations.size());
  for (const auto& observation : observations) {
    w.String(observation.series);
    w.Varint(observation.value);
  }
}

}  // namespace

int64_t TimeMap::ToWallNanos(MonoTime time) const {
  const auto wall_at = wall - std::chrono::duration_cast<WallTime::duration>(mono - time);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(wall_at.time_since_epoch()).count();
}

MonoTime TimeMap::FromWallNanos(int64_t nanos) const {
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch());
  // Saturate: a time decades away from now is refused by its caller anyway.
  const int64_t ago = nanos < now.count() - std::numeric_limits<int64_t>::max() / 2
                          ? std::numeric_limits<int64_t>::max() / 2
                          : now.count() - nanos;
  return mono - std::chrono::duration_cast<MonoTime::duration>(std::chrono::nanoseconds(ago));
}

std::string_view ToString(LoadFailure failure) {
  switch (failure) {
    case LoadFailure::kCorrupt:
      return "corrupt";
    case LoadFailure::kVersion:
      return "version";
    case LoadFailure::kOtherTarget:
      return "other_target";
    case LoadFailure::kClock:
      return "clock";
    case LoadFailure::kTooLarge:
      return "too_large";
  }
  return "corrupt";
}

// magic, version, name, url, sequence, records (first time, then per record the zigzag
// difference to the previous time shifted left once with the success flag in bit 0), uptime,
// the history's counters, series (key, last value, polls since seen, increases), alert
// states, CRC-32.
std::string EncodeSnapshot(const TargetState& state, const TimeMap& times) {
  Writer w;
  WriteHeader(w, kSnapshotMagic, state.target);
  w.Varint(state.sequence);
  const auto& history = state.history;
  w.Varint(history.records.size());
  int64_t previous = 0;
  for (const auto& record : history.records) {
    const int64_t nanos = times.ToWallNanos(record.time);
    w.Varint((ZigZag(nanos - previous) << 1) | (record.success ? 1 : 0));
    previous = nanos;
  }
  w.OptionalU64(history.last_uptime_ms);
  w.Varint(history.counters.restarts_detected);
  w.Varint(history.counters.counter_resets);
  w.Varint(history.counters.out_of_order_records);
  w.Varint(history.series.size());
  for (const auto& series : history.series) {
    w.String(series.key);
    w.Varint(series.last_value);
    w.Varint(series.polls_since_seen);
    w.Varint(series.increases.size());
    for (const uint64_t increase : series.increases) w.Varint(increase);
  }
  WriteAlerts(w, state.alerts);
  WriteResetBaseline(w, state.resets);
  w.Crc();
  return std::move(w.out());
}

std::optional<TargetState> DecodeSnapshot(std::string_view bytes, const TargetIdentity& expected,
                                          const TimeMap& times, LoadError* error) {
  if (bytes.size() > kMaxFileBytes) {
    *error = {LoadFailure::kTooLarge, std::to_string(bytes.size()) + " bytes"};
    return std::nullopt;
  }
  uint32_t version = 0;
  if (auto frame = CheckFrame(bytes, kSnapshotMagic,
                              bytes.size() >= kCrcBytes ? bytes.size() - kCrcBytes : 0, &version)) {
    *error = std::move(*frame);
    return std::nullopt;
  }
  Reader r(bytes.substr(kMagicBytes + kVersionBytes,
                        bytes.size() - kMagicBytes - kVersionBytes - kCrcBytes));
  if (auto other = CheckTarget(r, expected)) {
    *error = std::move(*other);
    return std::nullopt;
  }
  TargetState state;
  state.target = expected;
  state.sequence = r.Varint();
  bool future = false;
  auto& history = state.history;
  history.records.resize(r.Count(1));
  int64_t previous = 0;
  for (auto& record : history.records) {
    const uint64_t packed = r.Varint();
    const int64_t delta = UnZigZag(packed >> 1);
    if (delta < 0 && &record != &history.records.front()) r.Fail("poll records out of order");
    if ((delta > 0 && previous > std::numeric_limits<int64_t>::max() - delta) ||
        (delta < 0 && previous < std::numeric_limits<int64_t>::min() - delta)) {
      r.Fail("poll time out of range");
    }
    if (!r.ok()) break;
    previous += delta;
    record.success = (packed & 1) != 0;
    record.time = ReadTime(previous, times, &future);
  }
  history.last_uptime_ms = r.OptionalU64();
  history.counters.restarts_detected = r.Varint();
  history.counters.counter_resets = r.Varint();
  history.counters.out_of_order_records = r.Varint();
  history.series.resize(r.Count(4));
  for (auto& series : history.series) {
    series.key = r.String();
    series.last_value = r.Varint();
    series.polls_since_seen = r.Varint();
    series.increases.resize(r.Count(1));
    for (uint64_t& increase : series.increases) increase = r.Varint();
  }
  state.alerts = ReadAlerts(r);
  if (version >= 2) state.resets = ReadResetBaseline(r);
  if (r.ok() && !r.at_end()) r.Fail("trailing bytes");
  if (!r.ok()) {
    *error = {LoadFailure::kCorrupt, r.error()};
    return std::nullopt;
  }
  if (future) {
    *error = {LoadFailure::kClock, "holds polls later than now: the wall clock went back"};
    return std::nullopt;
  }
  return state;
}

std::string EncodeJournalHeader(const TargetIdentity& target) {
  Writer w;
  WriteHeader(w, kJournalMagic, target);
  w.Crc();
  return std::move(w.out());
}

// Per entry: payload length, payload (sequence, time, success, uptime, observations, node-wide
// counters reset, alert states), CRC-32 of the payload.
std::string EncodeJournalEntry(const JournalEntry& entry, const TimeMap& times) {
  Writer payload;
  payload.Varint(entry.sequence);
  payload.Signed(times.ToWallNanos(entry.time));
  payload.out().push_back(entry.success ? 1 : 0);
  payload.OptionalU64(entry.uptime_ms);
  WriteObservations(payload, entry.observations);
  payload.out().push_back(entry.counters_reset ? 1 : 0);
  WriteAlerts(payload, entry.alerts);
  Writer w;
  w.Varint(payload.out().size());
  w.Bytes(payload.out());
  w.U32(Crc32(payload.out()));
  return std::move(w.out());
}

DecodedJournal DecodeJournal(std::string_view bytes, const TargetIdentity& expected,
                             const TimeMap& times) {
  DecodedJournal journal;
  if (bytes.size() > kMaxFileBytes) {
    journal.error = {LoadFailure::kTooLarge, std::to_string(bytes.size()) + " bytes"};
    return journal;
  }
  // The header's end is known only once name and URL are read: read them first, check after.
  Reader header(bytes.size() > kMagicBytes + kVersionBytes
                    ? bytes.substr(kMagicBytes + kVersionBytes)
                    : std::string_view());
  header.String();
  header.String();
  const size_t crc_end = bytes.size() - header.left();
  if (auto frame = CheckFrame(bytes, kJournalMagic, header.ok() ? crc_end : 0)) {
    journal.error = std::move(*frame);
    return journal;
  }
  Reader r(bytes.substr(kMagicBytes + kVersionBytes));
  if (auto other = CheckTarget(r, expected)) {
    journal.error = std::move(*other);
    return journal;
  }
  r.U32();
  while (r.ok() && !r.at_end()) {
    const uint64_t length = r.Varint();
    if (length > kMaxJournalEntryBytes) r.Fail("entry larger than the limit");
    const std::string_view payload = r.Bytes(static_cast<size_t>(length));
    const uint32_t crc = r.U32();
    if (!r.ok()) break;
    if (crc != Crc32(payload)) {
      r.Fail("checksum mismatch");
      break;
    }
    Reader p(payload);
    JournalEntry entry;
    entry.sequence = p.Varint();
    bool future = false;
    entry.time = ReadTime(p.Signed(), times, &future);
    entry.success = p.Bool();
    entry.uptime_ms = p.OptionalU64();
    entry.observations.resize(p.Count(2));
    for (auto& observation : entry.observations) {
      observation.series = p.String();
      observation.value = p.Varint();
    }
    entry.counters_reset = p.Bool();
    entry.alerts = ReadAlerts(p);
    if (p.ok() && !p.at_end()) p.Fail("trailing bytes");
    if (!p.ok()) {
      r.Fail(p.error());
      break;
    }
    if (future) {
      journal.error = {LoadFailure::kClock, "holds polls later than now: the wall clock went back"};
      return journal;
    }
    journal.entries.push_back(std::move(entry));
  }
  if (!r.ok()) {
    journal.error = {LoadFailure::kCorrupt,
                     "entry " + std::to_string(journal.entries.size() + 1) + ": " + r.error()};
  }
  return journal;
}

}  // namespace vmq::storage
