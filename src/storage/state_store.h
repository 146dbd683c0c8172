#ifndef VMQ_STORAGE_STATE_STORE_H_
#define VMQ_STORAGE_STATE_STORE_H_

// --storage.path: where each target's snapshot and journal live, how they are read at start
// and how they are written while the exporter runs.
//
// Writes never happen on a poll's path: TargetWriter::Append and ::Snapshot queue the work
// (bounded: past kMaxQueuedBytes the write is dropped and counted, and the target's next
// poll takes a fresh snapshot) and one writer thread does the file IO, so that a slow or full
// disk holds no poll and no target waits for another's files.
//
// What survives what (docs/configuration.md, "Storage"):
//  - the process killed (SIGKILL, OOM kill, crash): everything up to the last poll, because
//    the journal is appended after every poll and appended bytes are in the page cache;
//  - SIGTERM: the same, and Shutdown() fsyncs the file system, so a power loss after it too;
//  - a power loss or kernel crash while running: up to the last snapshot (written with fsync,
//    rename, fsync of the directory); the journal's tail may be lost or torn, and a torn
//    entry ends the replay there.
// A journal is compacted into a new snapshot once it holds as many bytes as the snapshot
// (at least kMinCompactBytes), so the files stay within about twice the snapshot's size.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "common/clock.h"
#include "common/log.h"
#include "storage/state_file.h"

namespace vmq::storage {

class StateStore;

// One target's files, handed to its TargetRuntime. Thread-safe.
class TargetWriter : public std::enable_shared_from_this<TargetWriter> {
 public:
  // Queues the entry of one poll; the first call must follow a Snapshot (the store refuses
  // entries for a journal it has not started in this process).
  void Append(JournalEntry entry);
  // Queues a snapshot that replaces the journal. `durable`: fsync before and after the rename.
  void Snapshot(TargetState state, bool durable = true);
  // The journal has grown to the snapshot's size, or a write was dropped or failed: the
  // owner should queue a snapshot after its next poll.
  bool WantsSnapshot() const;

 private:
  friend class StateStore;
  TargetWriter(StateStore& store, TargetIdentity target, std::string snapshot_path,
               std::string journal_path);

  StateStore& store_;
  const TargetIdentity target_;
  const std::string snapshot_path_;
  const std::string journal_path_;
  // Guarded by the store's mutex.
  bool snapshot_queued_ = false;
  bool journal_started_ = false;
  bool broken_ = false;
  size_t journal_bytes_ = 0;
  size_t snapshot_bytes_ = 0;
  bool logged_failure_ = false;
};

// What Load read: the snapshot and the journal entries that follow it, in sequence.
struct LoadedState {
  TargetState snapshot;
  std::vector<JournalEntry> journal;
};

class StateStore {
 public:
  static constexpr size_t kMaxQueuedBytes = size_t{64} << 20;
  static constexpr size_t kMinCompactBytes = 64 * 1024;

  // Throws std::runtime_error when `dir` cannot be created or written (start-up only).
  // `max_queued_bytes`: what may wait for the writer before writes are dropped (tests lower it).
  StateStore(std::string dir, const Clock& clock, Logger& logger, prometheus::Registry& registry,
             size_t max_queued_bytes = kMaxQueuedBytes);
  // Writes what is queued, then stops the writer thread.
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& dir() const { return dir_; }

  // The target's saved state, or nullopt: none saved, or refused (logged with the reason and
  // counted in vmq_exporter_storage_files_ignored_total).
  std::optional<LoadedState> Load(const TargetIdentity& target);
  std::shared_ptr<TargetWriter> Writer(const TargetIdentity& target);
  // A saved state refused after Load (its history is inconsistent): logged and counted as
  // Load's own refusals are.
  void ReportIgnored(const TargetIdentity& target, const std::string& what, const LoadError& error);
  // A saved state the target took (vmq_exporter_storage_targets_restored_total).
  void ReportRestored();
  // Waits until every queued write is done.
  void WaitIdle();
  // WaitIdle, then makes every write durable (syncfs).
  void Shutdown();

  // Where a target's files are: a readable, file-system-safe form of the name and a hash of
  // the whole name, so that two names never share a file.
  static std::string FileStem(const std::string& target_name);

 private:
  friend class TargetWriter;
  struct AppendJob {
    std::shared_ptr<TargetWriter> target;
    JournalEntry entry;
  };
  struct SnapshotJob {
    std::shared_ptr<TargetWriter> target;
    TargetState state;
    bool durable;
  };
  using Job = std::variant<AppendJob, SnapshotJob>;

  void Enqueue(Job job, size_t bytes, TargetWriter& target);
  void Run();
  void Write(AppendJob& job);
  void Write(SnapshotJob& job);
  void Failed(TargetWriter& target, const std::string& error);

  const std::string dir_;
  const size_t max_queued_bytes_;
  const Clock& clock_;
  Logger& logger_;
  prometheus::Family<prometheus::Counter>& ignored_;
  prometheus::Counter& restored_;
  prometheus::Counter& snapshots_;
  prometheus::Counter& journal_entries_;
  prometheus::Counter& write_errors_;
  prometheus::Counter& dropped_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::pair<Job, size_t>> queue_;  // with each job's estimated bytes
  size_t queued_bytes_ = 0;
  bool busy_ = false;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace vmq::storage

#endif  // VMQ_STORAGE_STATE_STORE_H_
