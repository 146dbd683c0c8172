// The state files of --storage.path as a restart reads them: any bytes are either refused with
// a reason or decoded into a state that TargetHistory::FromImage accepts or refuses, never a
// crash, a hang or an allocation the bytes do not pay for. What is decoded re-encodes to bytes
// that decode to the same state.
//
// The first byte picks what the rest is, so that mutations get past the CRC-32 that guards
// every real file: 0 a snapshot as is, 1 a snapshot whose CRC the harness fixes, 2 a journal as
// is, 3 one journal entry's payload that the harness frames with a valid header and CRC.

#include <boost/crc.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.h"
#include "storage/state_file.h"
#include "window/reset_detector.h"
#include "window/target_history.h"

namespace {

using vmq::storage::DecodedJournal;
using vmq::storage::TargetIdentity;
using vmq::storage::TargetState;
using vmq::storage::TimeMap;

const TargetIdentity kTarget{"vmq-1", "http://127.0.0.1:8888/metrics"};
const TimeMap kTimes{vmq::MonoTime(std::chrono::hours(1000)),
                     vmq::WallTime(std::chrono::seconds(1'700'000'000))};
const std::vector<vmq::Millis> kWindows{vmq::Millis(60'000), vmq::Millis(300'000)};
constexpr vmq::Millis kMaxGap{9'000};

uint32_t Crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void AppendU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// What a restore does with a decoded snapshot: rebuild the history and query it.
void Restore(const TargetState& state) {
  std::string error;
  auto history = vmq::window::TargetHistory::FromImage(kWindows, kMaxGap, state.history, &error);
  if (!history) {
    VMQ_FUZZ_CHECK(!error.empty());
    return;
  }
  for (const auto& series : state.history.series) {
    (void)history->Increase(series.key, kWindows[0], kTimes.mono);
  }
  (void)history->Coverage(kWindows[1], kTimes.mono);
}

void Snapshot(std::string_view bytes) {
  vmq::storage::LoadError error;
  const auto state = vmq::storage::DecodeSnapshot(bytes, kTarget, kTimes, &error);
  if (!state) {
    VMQ_FUZZ_CHECK(!error.detail.empty());
    return;
  }
  Restore(*state);
  // Re-encoded at the same instant, the state reads back the same.
  const std::string again = vmq::storage::EncodeSnapshot(*state, kTimes);
  const auto reread = vmq::storage::DecodeSnapshot(again, kTarget, kTimes, &error);
  VMQ_FUZZ_CHECK(reread);
  VMQ_FUZZ_CHECK(reread->sequence == state->sequence);
  VMQ_FUZZ_CHECK(reread->history.records.size() == state->history.records.size());
  VMQ_FUZZ_CHECK(reread->history.series.size() == state->history.series.size());
  VMQ_FUZZ_CHECK(reread->alerts.size() == state->alerts.size());
  VMQ_FUZZ_CHECK(reread->resets.has_value() == state->resets.has_value());
  if (state->resets) {
    vmq::window::ResetDetector detector;  // takes any baseline a file can hold
    detector.Adopt(*state->resets);
    VMQ_FUZZ_CHECK(detector.stats().counters_held <= vmq::window::ResetDetector::kMaxCounters);
  }
  VMQ_FUZZ_CHECK(vmq::storage::EncodeSnapshot(*reread, kTimes) == again);
}

void Journal(std::string_view bytes) {
  const DecodedJournal journal = vmq::storage::DecodeJournal(bytes, kTarget, kTimes);
  vmq::window::TargetHistory history(kWindows, kMaxGap);
  for (const auto& entry : journal.entries) {
    if (entry.success) {
      history.RecordSuccess(entry.time, entry.uptime_ms, entry.observations, entry.counters_reset);
    } else {
      history.RecordFailure(entry.time);
    }
    const std::string again = vmq::storage::EncodeJournalEntry(entry, kTimes);
    const DecodedJournal reread = vmq::storage::DecodeJournal(
        vmq::storage::EncodeJournalHeader(kTarget) + again, kTarget, kTimes);
    VMQ_FUZZ_CHECK(!reread.error && reread.entries.size() == 1);
    VMQ_FUZZ_CHECK(reread.entries[0].observations.size() == entry.observations.size());
  }
  (void)history.Coverage(kWindows[0], kTimes.mono);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      Snapshot(rest);
      break;
    case 1: {
      std::string fixed(rest.substr(0, rest.size() >= 4 ? rest.size() - 4 : 0));
      AppendU32(fixed, Crc32(fixed));
      Snapshot(fixed);
      break;
    }
    case 2:
      Journal(rest);
      break;
    default: {
      std::string journal = vmq::storage::EncodeJournalHeader(kTarget);
      AppendVarint(journal, rest.size());
      journal.append(rest);
      AppendU32(journal, Crc32(rest));
      Journal(journal);
      break;
    }
  }
  return 0;
}
