#include "storage/state_store.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "storage/file_io.h"

namespace vmq::storage {
namespace {

// FNV-1a, 64 bits: stable across builds and platforms, unlike std::hash.
uint64_t Fnv1a(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

size_t EntryBytes(const JournalEntry& entry) {
  size_t bytes = 64;
  for (const auto& observation : entry.observations) bytes += observation.series.size() + 16;
  return bytes;
}

size_t StateBytes(const TargetState& state) {
  size_t bytes = 64 + state.history.records.size() * 10;
  for (const auto& series : state.history.series) {
    bytes += series.key.size() + 32 + series.increases.size() * 2;
  }
  return bytes;
}

}  // namespace

TargetWriter::TargetWriter(StateStore& store, TargetIdentity target, std::string snapshot_path,
                           std::string journal_path)
    : store_(store),
      target_(std::move(target)),
      snapshot_path_(std::move(snapshot_path)),
      journal_path_(std::move(journal_path)) {}

void TargetWriter::Append(JournalEntry entry) {
  const size_t bytes = EntryBytes(entry);
  store_.Enqueue(StateStore::AppendJob{nullptr, std::move(entry)}, bytes, *this);
}

void TargetWriter::Snapshot(TargetState state, bool durable) {
  const size_t bytes = StateBytes(state);
  store_.Enqueue(StateStore::SnapshotJob{nullptr, std::move(state), durable}, bytes, *this);
}

bool TargetWriter::WantsSnapshot() const {
  std::lock_guard lock(store_.mu_);
  if (snapshot_queued_) return false;
  return broken_ || journal_bytes_ >= std::max(snapshot_bytes_, StateStore::kMinCompactBytes);
}

StateStore::StateStore(std::string dir, const Clock& clock, Logger& logger,
                       prometheus::Registry& registry, size_t max_queued_bytes)
    : dir_(std::move(dir)),
      max_queued_bytes_(max_queued_bytes),
      clock_(clock),
      logger_(logger),
      ignored_(prometheus::BuildCounter()
                   .Name("vmq_exporter_storage_files_ignored_total")
                   .Help("State files under --storage.path refused at start, by reason.")
                   .Register(registry)),
      restored_(prometheus::BuildCounter()
                    .Name("vmq_exporter_storage_targets_restored_total")
                    .Help("Targets whose history was restored from --storage.path at start.")
                    .Register(registry)
                    .Add({})),
      snapshots_(prometheus::BuildCounter()
                     .Name("vmq_exporter_storage_snapshots_written_total")
                     .Help("Target snapshots written under --storage.path.")
                     .Register(registry)
                     .Add({})),
      journal_entries_(prometheus::BuildCounter()
                           .Name("vmq_exporter_storage_journal_entries_written_total")
                           .Help("Polls appended to a target's journal under --storage.path.")
                           .Register(registry)
                           .Add({})),
      write_errors_(prometheus::BuildCounter()
                        .Name("vmq_exporter_storage_write_errors_total")
                        .Help("Writes under --storage.path that failed.")
                        .Register(registry)
                        .Add({})),
      dropped_(prometheus::BuildCounter()
                   .Name("vmq_exporter_storage_writes_dropped_total")
                   .Help("Writes dropped because the storage writer had fallen behind.")
                   .Register(registry)
                   .Add({})) {
  for (const LoadFailure reason :
       {LoadFailure::kCorrupt, LoadFailure::kVersion, LoadFailure::kOtherTarget,
        LoadFailure::kClock, LoadFailure::kTooLarge}) {
    ignored_.Add({{"reason", std::string(ToString(reason))}});
  }
  std::string error;
  if (!EnsureWritableDirectory(dir_, &error)) throw std::runtime_error("--storage.path: " + error);
  writer_ = std::thread([this] { Run(); });
}

StateStore::~StateStore() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

std::string StateStore::FileStem(const std::string& target_name) {
  std::string stem;
  for (const char c : target_name.substr(0, 64)) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    stem.push_back(safe ? c : '_');
  }
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(Fnv1a(target_name)));  // NOLINT(runtime/int)
  return stem + "-" + hash;
}

void StateStore::ReportIgnored(const TargetIdentity& target, const std::string& file,
                               const LoadError& error) {
  ignored_.Add({{"reason", std::string(ToString(error.reason))}}).Increment();
  logger_.Warn("ignoring state file", {{"target", target.name},
                                       {"file", file},
                                       {"reason", std::string(ToString(error.reason))},
                                       {"err", error.detail}});
}

std::optional<LoadedState> StateStore::Load(const TargetIdentity& target) {
  const std::string stem = dir_ + "/" + FileStem(target.name);
  const std::string snapshot_path = stem + ".state";
  std::string bytes;
  std::string error;
  switch (ReadFileBounded(snapshot_path, kMaxFileBytes, &bytes, &error)) {
    case ReadStatus::kMissing:
      return std::nullopt;
    case ReadStatus::kTooLarge:
      ReportIgnored(target, snapshot_path, {LoadFailure::kTooLarge, error});
      return std::nullopt;
    case ReadStatus::kError:
      ReportIgnored(target, snapshot_path, {LoadFailure::kCorrupt, error});
      return std::nullopt;
    case ReadStatus::kOk:
      break;
  }
  const TimeMap times = TimeMap::Now(clock_);
  LoadError load_error;
  std::optional<TargetState> snapshot = DecodeSnapshot(bytes, target, times, &load_error);
  if (!snapshot) {
    ReportIgnored(target, snapshot_path, load_error);
    return std::nullopt;
  }
  LoadedState loaded{std::move(*snapshot), {}};
  const std::string journal_path = stem + ".journal";
  switch (ReadFileBounded(journal_path, kMaxFileBytes, &bytes, &error)) {
    case ReadStatus::kMissing:
      return loaded;
    case ReadStatus::kTooLarge:
      ReportIgnored(target, journal_path, {LoadFailure::kTooLarge, error});
      return loaded;
    case ReadStatus::kError:
      ReportIgnored(target, journal_path, {LoadFailure::kCorrupt, error});
      return loaded;
    case ReadStatus::kOk:
      break;
  }
  DecodedJournal journal = DecodeJournal(bytes, target, times);
  // Entries the snapshot already holds (a crash between the snapshot's rename and the new
  // journal's) are skipped; the rest must follow it without a hole.
  uint64_t next = loaded.snapshot.sequence + 1;
  for (JournalEntry& entry : journal.entries) {
    if (entry.sequence < next) continue;
    if (entry.sequence != next) {
      journal.error = LoadError{LoadFailure::kCorrupt, "entry " + std::to_string(entry.sequence) +
                                                           " follows " + std::to_string(next - 1)};
      break;
    }
    loaded.journal.push_back(std::move(entry));
    ++next;
  }
  if (journal.error) {
    ReportIgnored(target, journal_path + " (from the first bad entry)", *journal.error);
  }
  return loaded;
}

void StateStore::ReportRestored() { restored_.Increment(); }

std::shared_ptr<TargetWriter> StateStore::Writer(const TargetIdentity& target) {
  const std::string stem = dir_ + "/" + FileStem(target.name);
  return std::shared_ptr<TargetWriter>(
      new TargetWriter(*this, target, stem + ".state", stem + ".journal"));
}

void StateStore::Enqueue(Job job, size_t bytes, TargetWriter& target) {
  {
    std::lock_guard lock(mu_);
    const bool snapshot = std::holds_alternative<SnapshotJob>(job);
    if (queued_bytes_ + bytes > max_queued_bytes_ || stop_) {
      if (!target.broken_ && !stop_) {
        logger_.Warn(
            "storage writer has fallen behind (is the disk under --storage.path stalling?); "
            "dropping this target's writes until a snapshot goes through",
            {{"target", target.target_.name}, {"queued_bytes", std::to_string(queued_bytes_)}});
      }
      target.broken_ = true;
      dropped_.Increment();
      return;
    }
    if (snapshot) target.snapshot_queued_ = true;
    // The writer holds the target alive until the job is done.
    std::visit([self = target.shared_from_this()](auto& j) { j.target = self; }, job);
    queued_bytes_ += bytes;
    queue_.emplace_back(std::move(job), bytes);
  }
  wake_.notify_one();
}

void StateStore::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stop_) return;
      continue;
    }
    auto [job, bytes] = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    std::visit([this](auto& j) { Write(j); }, job);
    lock.lock();
    busy_ = false;
    queued_bytes_ -= bytes;
    if (queue_.empty()) idle_.notify_all();
  }
}

void StateStore::Write(AppendJob& job) {
  TargetWriter& target = *job.target;
  bool started = false;
  {
    std::lock_guard lock(mu_);
    started = target.journal_started_;
  }
  if (!started) {
    std::lock_guard lock(mu_);
    target.broken_ = true;
    return;
  }
  const std::string bytes = EncodeJournalEntry(job.entry, TimeMap::Now(clock_));
  std::string error;
  if (!AppendToFile(target.journal_path_, bytes, &error)) {
    Failed(target, error);
    return;
  }
  journal_entries_.Increment();
  std::lock_guard lock(mu_);
  target.journal_bytes_ += bytes.size();
}

void StateStore::Write(SnapshotJob& job) {
  TargetWriter& target = *job.target;
  const std::string bytes = EncodeSnapshot(job.state, TimeMap::Now(clock_));
  std::string error;
  // The snapshot first: until its rename, the old snapshot and journal are what a restart
  // reads; after it, the old journal's entries are older than the snapshot and skipped.
  const bool written =
      WriteFileAtomically(target.snapshot_path_, bytes, job.durable, &error) &&
      WriteFileAtomically(target.journal_path_, EncodeJournalHeader(target.target_), false, &error);
  {
    std::lock_guard lock(mu_);
    target.snapshot_queued_ = false;
    if (written) {
      target.journal_started_ = true;
      target.broken_ = false;
      target.journal_bytes_ = 0;
      target.snapshot_bytes_ = bytes.size();
      target.logged_failure_ = false;
    }
  }
  if (!written) {
    Failed(target, error);
    return;
  }
  snapshots_.Increment();
}

void StateStore::Failed(TargetWriter& target, const std::string& error) {
  write_errors_.Increment();
  bool log = false;
  {
    std::lock_guard lock(mu_);
    target.broken_ = true;
    // Until the next snapshot the journal is not appended to: entries after a hole are not
    // replayed anyway.
    target.journal_started_ = false;
    log = !target.logged_failure_;
    target.logged_failure_ = true;
  }
  if (log) logger_.Warn("cannot write state", {{"target", target.target_.name}, {"err", error}});
}

void StateStore::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void StateStore::Shutdown() {
  WaitIdle();
  std::string error;
  if (!SyncFileSystem(dir_, &error)) {
    write_errors_.Increment();
    logger_.Warn("cannot sync state files", {{"err", error}});
  }
}

}  // namespace vmq::storage
