#ifndef VMQ_STORAGE_STATE_FILE_H_
#define VMQ_STORAGE_STATE_FILE_H_

// The two files --storage.path keeps per target, and their binary format (docs/configuration.md,
// "Storage", documents it for operators):
//  - a snapshot: the target's whole window history, alert state and reset baseline as of one
//    poll, rewritten atomically now and then;
//  - a journal: one entry per poll since that snapshot, appended after each poll, so that a
//    process killed between two snapshots loses nothing that reached the page cache.
// Loading replays the journal's entries that follow the snapshot, in sequence, onto it.
//
// Times are stored as wall-clock nanoseconds since the Unix epoch: a MonoTime means nothing
// after a reboot. A TimeMap, read from the injected clock at one instant, maps them to and from
// the monotonic clock, so that the time the exporter was down is a gap like any outage.
//
// Everything read is untrusted: a file that is truncated, corrupt (CRC-32 over every byte),
// of another format version or of another target (name and URL are in the file) is refused
// with a reason, and every count is checked against the bytes left before anything is
// allocated for it. A file larger than kMaxFileBytes is not read at all.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_state_tracker.h"
#include "common/clock.h"
#include "window/history_image.h"
#include "window/reset_detector.h"
#include "window/target_history.h"

namespace vmq::storage {

// Written: 2. Read: 1 and 2 (2 added the reset baseline to snapshots; journals are alike).
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestReadableVersion = 1;
// The largest file the reader accepts. An image holds (longest window + max gap) / interval
// records and one increase per record and series: 1 h at 1 s with 100 series is ~0.5 MB; the
// largest a target can hold (10,000 series of 64-byte keys, 1 h at 1 s, increases up to 127)
// is ~37 MB.
inline constexpr size_t kMaxFileBytes = size_t{64} << 20;
// A journal entry is one poll's observations: at most max_series_bytes of keys plus values.
inline constexpr size_t kMaxJournalEntryBytes = size_t{16} << 20;

// Maps wall-clock times to monotonic ones and back, as of one instant.
struct TimeMap {
  MonoTime mono;
  WallTime wall;
  static TimeMap Now(const Clock& clock) {
    const Clock::Instant now = clock.NowBoth();
    return {now.mono, now.wall};
  }
  int64_t ToWallNanos(MonoTime time) const;
  MonoTime FromWallNanos(int64_t nanos) const;
};

// Why a file was not used. The names are the `reason` label of
// vmq_exporter_storage_files_ignored_total.
enum class LoadFailure { kCorrupt, kVersion, kOtherTarget, kClock, kTooLarge };
std::string_view ToString(LoadFailure failure);

struct LoadError {
  LoadFailure reason = LoadFailure::kCorrupt;
  std::string detail;
};

struct TargetIdentity {
  std::string name;
  std::string url;
};

struct TargetState {
  TargetIdentity target;
  uint64_t sequence = 0;  // of the latest poll the history includes
  window::HistoryImage history;
  std::vector<alerting::AlertSeriesState> alerts;
  // The page the node-wide reset detector compares the next one with (none before the first
  // poll, or in a version 1 file).
  std::optional<window::ResetBaseline> resets;
};

// One poll, as TargetHistory recorded it, and the alert state after it.
struct JournalEntry {
  uint64_t sequence = 0;  // the snapshot's sequence + 1 for the first entry after it, and so on
  MonoTime time;
  bool success = false;
  std::optional<uint64_t> uptime_ms;
  std::vector<window::Observation> observations;  // the ones the history was given
  bool counters_reset = false;  // a node-wide metrics reset, as the history was told
  std::vector<alerting::AlertSeriesState> alerts;
};

std::string EncodeSnapshot(const TargetState& state, const TimeMap& times);
// Refuses a snapshot of another target, and one with a poll later than `times` (the wall clock
// went back since it was written: its times cannot be placed).
std::optional<TargetState> DecodeSnapshot(std::string_view bytes, const TargetIdentity& expected,
                                          const TimeMap& times, LoadError* error);

std::string EncodeJournalHeader(const TargetIdentity& target);
std::string EncodeJournalEntry(const JournalEntry& entry, const TimeMap& times);

struct DecodedJournal {
  std::vector<JournalEntry> entries;  // every whole, valid entry, in file order
  std::optional<LoadError> error;     // why decoding stopped before the end, if it did
};
DecodedJournal DecodeJournal(std::string_view bytes, const TargetIdentity& expected,
                             const TimeMap& times);

}  // namespace vmq::storage

#endif  // VMQ_STORAGE_STATE_FILE_H_
