// What --storage.path costs, for docs/configuration.md ("Storage"): per target, the time to
// export and encode a snapshot and to write it atomically with fsync, the time to encode and
// append one journal entry, and their sizes; then what the writer thread does per second for
// a fleet of targets, with the journal design and with "a full snapshot after every poll".
//
//   storage_cost DIR TARGETS INTERVAL_S WINDOW_S[,WINDOW_S...] SERIES [ITERATIONS]
//   storage_cost /var/tmp/st 1000 5 60,300 20
//   storage_cost /var/tmp/st 1 1 3600 8
//
// DIR must be on the disk the exporter would write to: fsync costs depend on it.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "storage/file_io.h"
#include "storage/state_file.h"
#include "window/target_history.h"

namespace {

using Clock = std::chrono::steady_clock;
using vmq::Millis;

double MicrosSince(Clock::time_point start, int iterations) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s DIR TARGETS INTERVAL_S WINDOW_S[,...] SERIES [ITERATIONS]\n",
                 argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int targets = std::atoi(argv[2]);
  const Millis interval(std::atoi(argv[3]) * 1000);
  std::vector<Millis> windows;
  std::stringstream list(argv[4]);
  for (std::string w; std::getline(list, w, ',');)
    windows.emplace_back(std::atoi(w.c_str()) * 1000);
  const int series = std::atoi(argv[5]);
  const int iterations = argc > 6 ? std::atoi(argv[6]) : 50;
  std::string error;
  if (!vmq::storage::EnsureWritableDirectory(dir, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const Millis max_gap = interval + interval * 4 / 5;
  Millis longest{0};
  for (const Millis w : windows) longest = std::max(longest, w);

  // A full history: the longest window + max gap of polls, small random increases.
  vmq::window::TargetHistory history(windows, max_gap);
  std::mt19937 random(1);
  std::vector<vmq::window::Observation> observations;
  for (int s = 0; s < series; ++s) {
    observations.push_back({"mqtt_pubcomp_received{mqtt_version=\"5\",node=\"VerneMQ@10.0.0." +
                                std::to_string(s) + "\",reason_code=\"success\"}",
                            0});
  }
  const vmq::MonoTime start(std::chrono::hours(1000));
  const int polls = static_cast<int>((longest + max_gap) / interval) + 2;
  vmq::MonoTime now = start;
  for (int p = 0; p < polls; ++p) {
    now += interval;
    for (auto& observation : observations) observation.value += random() % 4;
    history.RecordSuccess(now, 1000 * p, observations);
  }
  const vmq::storage::TimeMap times{now, vmq::WallTime(std::chrono::seconds(1'700'000'000))};

  auto t0 = Clock::now();
  vmq::storage::TargetState state;
  for (int i = 0; i < iterations; ++i) {
    state = {{"vmq-1", "http://10.0.0.1:8888/metrics"}, 1, history.Export(), {}, std::nullopt};
  }
  const double export_us = MicrosSince(t0, iterations);
  t0 = Clock::now();
  std::string snapshot;
  for (int i = 0; i < iterations; ++i) snapshot = vmq::storage::EncodeSnapshot(state, times);
  const double encode_us = MicrosSince(t0, iterations);
  const std::string path = dir + "/bench.state";
  t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    if (!vmq::storage::WriteFileAtomically(path, snapshot, true, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
  }
  const double write_us = MicrosSince(t0, iterations);

  const vmq::storage::JournalEntry entry{2, now, true, 1000, observations, false, {}};
  const std::string journal = dir + "/bench.journal";
  vmq::storage::WriteFileAtomically(journal, "", false, &error);
  const int appends = iterations * 20;
  t0 = Clock::now();
  size_t entry_bytes = 0;
  for (int i = 0; i < appends; ++i) {
    const std::string bytes = vmq::storage::EncodeJournalEntry(entry, times);
    entry_bytes = bytes.size();
    if (!vmq::storage::AppendToFile(journal, bytes, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
  }
  const double append_us = MicrosSince(t0, appends);

  const double polls_per_s = targets * 1000.0 / static_cast<double>(interval.count());
  // Compaction when the journal holds as many bytes as the snapshot (at least 64 KiB).
  const double entries_per_snapshot =
      std::max<double>(static_cast<double>(snapshot.size()), 64 * 1024.0) /
      static_cast<double>(entry_bytes);
  const double snapshots_per_s = polls_per_s / entries_per_snapshot;
  const double journal_busy = polls_per_s * append_us / 1e6;
  const double compaction_busy = snapshots_per_s * (encode_us + write_us) / 1e6;
  const double per_poll_busy = polls_per_s * (export_us + encode_us + write_us) / 1e6;
  std::printf("history: %d polls held, %d series, %zu-byte snapshot, %zu-byte journal entry\n",
              polls, series, snapshot.size(), entry_bytes);
  std::printf(
      "per target: export %.1f us (poll path, under the target's lock), encode %.1f us, "
      "atomic write with fsync %.1f us; journal entry encode + append %.1f us\n",
      export_us, encode_us, write_us, append_us);
  std::printf(
      "%d targets every %lld s: %.0f polls/s; compaction every %.0f polls, %.2f "
      "snapshots/s\n",
      targets, static_cast<long long>(interval.count() / 1000), polls_per_s, entries_per_snapshot,
      snapshots_per_s);
  std::printf(
      "writer thread busy: journal %.1f%% + compaction %.1f%% = %.1f%%; %.0f KB/s "
      "written; files per target at most %zu bytes\n",
      100 * journal_busy, 100 * compaction_busy, 100 * (journal_busy + compaction_busy),
      (polls_per_s * static_cast<double>(entry_bytes) +
       snapshots_per_s * static_cast<double>(snapshot.size())) /
          1000,
      2 * std::max<size_t>(snapshot.size(), 64 * 1024) + entry_bytes);
  std::printf(
      "a snapshot with fsync after every poll instead: %.1f%% busy, %.0f fsyncs/s, "
      "%.0f KB/s\n",
      100 * per_poll_busy, 2 * polls_per_s,
      polls_per_s * static_cast<double>(snapshot.size()) / 1000);
  std::remove(path.c_str());
  std::remove(journal.c_str());
  return 0;
}
