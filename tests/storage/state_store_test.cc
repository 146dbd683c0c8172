// --storage.path through the app: a runtime that journals its polls, stops (drained as a
// killed process leaves its page cache, or snapshotted as on SIGTERM) and a new runtime that
// restores from the same directory. Fake clock, hand-made pages, the real pipeline.

#include "storage/state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "app/runtime.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/log.h"
#include "common/process.h"
#include "config/config.h"
#include "storage/file_io.h"

namespace vmq::storage {
namespace {

using ::testing::HasSubstr;

constexpr Millis kInterval{5000};  // the default poll.interval; max gap 9 s
constexpr char kConfig[] =
    "targets:\n  - name: a\n    url: http://a:8888/metrics\n"
    "  - name: b\n    url: http://b:8888/metrics\n";
const std::string kUnexpected1m =
    "vmq_pubcomp_unexpected_received{target=\"a\",node=\"n\",mqtt_version=\"4\",window=\"1m\"}";
const std::string kCoverage1m = "vmq_window_coverage_ratio{target=\"a\",window=\"1m\"}";
const std::string kAlert =
    "vmq_alert_state{alert=\"VerneMQPubcompUnexpected\",target=\"a\",node=\"n\","
    "mqtt_version=\"4\"}";

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// One run of the exporter: a runtime and, with storage, its store.
class ExporterRun {
 public:
  // The node runs on through the exporter's restarts: its uptime follows the clock.
  uint64_t UptimeMs() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<Millis>(clock_.Now().time_since_epoch()).count());
  }

  ExporterRun(const std::string& config, const std::string& dir, FakeClock& clock,
              bool storage = true, size_t max_queued_bytes = StateStore::kMaxQueuedBytes)
      : clock_(clock),
        runtime_(config::LoadString(config, "c.yaml"), clock, logger_, {"test", "test"}) {
    if (storage) {
      store_ =
          std::make_unique<StateStore>(dir, clock, logger_, runtime_.registry(), max_queued_bytes);
      runtime_.UseStorage(*store_);
    }
  }
  ~ExporterRun() {
    if (store_) store_->Shutdown();
  }

  // A page with the v4 and the v5 series of the unexpected-PUBCOMP counter.
  void PollBoth(uint64_t v4, uint64_t v5) {
    poll::PollResult result;
    result.http_status = 200;
    result.body =
        "vernemq_mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
        "vernemq_system_wallclock{node=\"n\"} " +
        std::to_string(UptimeMs()) +
        "\n# TYPE vernemq_mqtt_pubcomp_invalid_error counter\n"
        "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} " +
        std::to_string(v4) +
        "\n"
        "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"5\"} " +
        std::to_string(v5) + "\n";
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult("a", std::move(result));
  }

  // A page with an untracked counter besides the tracked one, for node-wide resets.
  void PollWithOther(uint64_t unexpected, uint64_t other) {
    poll::PollResult result;
    result.http_status = 200;
    result.body =
        "# TYPE vernemq_mqtt_publish_error counter\n"
        "vernemq_mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} " +
        std::to_string(other) + "\nvernemq_system_wallclock{node=\"n\"} " +
        std::to_string(UptimeMs()) +
        "\n# TYPE vernemq_mqtt_pubcomp_invalid_error counter\n"
        "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} " +
        std::to_string(unexpected) + "\n";
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult("a", std::move(result));
  }

  void Poll(const std::string& target, uint64_t unexpected, bool ok = true) {
    poll::PollResult result;
    if (ok) {
      result.http_status = 200;
      result.body =
          "vernemq_mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
          "vernemq_system_wallclock{node=\"n\"} " +
          std::to_string(UptimeMs()) +
          "\n"
          "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} " +
          std::to_string(unexpected) + "\n";
    } else {
      result.error = poll::PollError::kConnect;
      result.detail = "refused";
    }
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult(target, std::move(result));
  }
  // `count` polls of target a, kInterval apart, the counter growing by `step` each time.
  void PollTimes(int count, uint64_t* counter, uint64_t step) {
    for (int i = 0; i < count; ++i) {
      clock_.Advance(kInterval);
      *counter += step;
      Poll("a", *counter);
    }
  }
  double Sample(const std::string& series) const {
    return testing::SampleValue(runtime_.page().Current()->metrics_text, series);
  }
  std::string Log() const { return log_.str(); }
  app::Runtime& runtime() { return runtime_; }
  // Waits for the queued writes, as the page cache keeps them when a process is killed.
  void Drain() { store_->WaitIdle(); }

 private:
  FakeClock& clock_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kInfo, LogFormat::kLogfmt};
  app::Runtime runtime_;
  std::unique_ptr<StateStore> store_;
};

class StateStoreTest : public ::testing::Test {
 protected:
  std::string SnapshotPath(const std::string& target) const {
    return dir_.path() + "/" + StateStore::FileStem(target) + ".state";
  }
  std::string JournalPath(const std::string& target) const {
    return dir_.path() + "/" + StateStore::FileStem(target) + ".journal";
  }

  // Three polls of a page with the tracked and another counter, then a stop by SIGTERM.
  void PollWithOtherAndStop(ExporterRun& run, uint64_t unexpected, uint64_t other) {
    for (int i = 0; i < 3; ++i) {
      clock_.Advance(kInterval);
      run.PollWithOther(unexpected, other);
    }
    run.runtime().SaveAll();
  }
  // A new run on dir_ started 2 s after the run before stopped, at its first poll's time: one
  // interval after the last one of the run before.
  std::unique_ptr<ExporterRun> StartOneIntervalLater() {
    clock_.Advance(Millis(2000));
    auto run = std::make_unique<ExporterRun>(kConfig, dir_.path(), clock_);
    clock_.Advance(Millis(3000));
    return run;
  }

  vmq::testing::TempDir dir_;
  FakeClock clock_;
  uint64_t counter_ = 1000;
};

// A killed process: nothing but the journal appended after each poll (drained here as the
// page cache keeps it) and the empty snapshot taken at start.
TEST_F(StateStoreTest, RestartWithinTheGapContinuesCountsAndCoverageFromTheJournal) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    before.PollTimes(14, &counter_, 1);  // 70 s: the 1m window is covered
    EXPECT_EQ(before.Sample(kUnexpected1m), 12);
    EXPECT_EQ(before.Sample(kCoverage1m), 1);
  }
  clock_.Advance(Millis(3000));  // down for 3 s, then the first poll 5 s after the last
  ExporterRun after(kConfig, dir_.path(), clock_);
  EXPECT_THAT(after.Log(), HasSubstr("restored state"));
  counter_ += 4;  // what happened while the exporter was down
  clock_.Advance(Millis(2000));
  after.Poll("a", counter_);
  // The series is counted from its last value (+4), not as new with its full value.
  EXPECT_EQ(after.Sample(kUnexpected1m), 12 - 1 + 4);
  EXPECT_EQ(after.Sample(kCoverage1m), 1);
  EXPECT_EQ(after.Sample("vmq_exporter_storage_targets_restored_total"), 2);
}

// A reload moves the targets to new windows and adds one: the kept target's re-windowed
// history and the added target's polls are what a restart after a kill finds.
TEST_F(StateStoreTest, TargetsAReloadKeepsOrAddsAreRestoredAfterAKill) {
  const std::string reloaded = std::string(kConfig) +
                               "  - name: c\n    url: http://c:8888/metrics\n" +
                               "windows: [1m, 10m]\n";
  const std::string unexpected_c1m =
      "vmq_pubcomp_unexpected_received{target=\"c\",node=\"n\",mqtt_version=\"4\","
      "window=\"1m\"}";
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    before.PollTimes(14, &counter_, 1);
    before.runtime().Reload(config::LoadString(reloaded, "c.yaml"));
    EXPECT_EQ(before.Sample(kUnexpected1m), 12);
    for (uint64_t c : {100, 103}) {
      clock_.Advance(kInterval);
      before.Poll("a", ++counter_);
      before.Poll("c", c);
    }
    EXPECT_EQ(before.Sample(unexpected_c1m), 3);
    before.Drain();
  }
  clock_.Advance(Millis(2000));
  ExporterRun after(reloaded, dir_.path(), clock_);
  EXPECT_EQ(after.Sample("vmq_exporter_storage_targets_restored_total"), 3);
  clock_.Advance(Millis(3000));
  counter_ += 4;
  after.Poll("a", counter_);
  after.Poll("c", 103);
  EXPECT_EQ(after.Sample(kUnexpected1m), 12 - 1 + 4);
  EXPECT_EQ(after.Sample(kCoverage1m), 1);
  EXPECT_EQ(after.Sample(unexpected_c1m), 3);
}

TEST_F(StateStoreTest, ADownTimeLongerThanTheGapIsAnUncoveredSpan) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    before.PollTimes(14, &counter_, 1);
    before.runtime().SaveAll();
  }
  clock_.Advance(Millis(20'000));
  ExporterRun after(kConfig, dir_.path(), clock_);
  counter_ += 4;
  after.Poll("a", counter_);
  // Down 20 s (more than interval + timeout = 9 s) then polled: 20 s of 60 uncovered.
  EXPECT_NEAR(after.Sample(kCoverage1m), 40.0 / 60.0, 1e-9);
  // The 4 events of the outage are counted at the poll that saw them, as after any outage;
  // the window now holds 8 of the polls before.
  EXPECT_EQ(after.Sample(kUnexpected1m), 8 + 4);
}

TEST_F(StateStoreTest, AlertLevelSurvivesTheRestart) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    before.PollTimes(14, &counter_, 0);
    before.PollTimes(1, &counter_, 10);  // 10 > raise_above 5 in a covered window
    EXPECT_EQ(before.Sample(kAlert), 1);
    before.runtime().SaveAll();
  }
  clock_.Advance(Millis(2000));
  ExporterRun after(kConfig, dir_.path(), clock_);
  after.PollTimes(1, &counter_, 0);
  // Held: the count is still 10 (> hold_above 0) and the level came from the file. A fresh
  // start would be 0: its window is not covered.
  EXPECT_EQ(after.Sample(kAlert), 1);
}

// `vmq-admin metrics reset` while the exporter was stopped, then more events than the tracked
// counter held before (3, reset, 5): alone the tracked series reads 3 -> 5. The snapshot
// taken at the stop carries the node's other counters, so the first page after the start is
// judged node-wide, and the 5 count in full.
TEST_F(StateStoreTest, AMetricsResetWhileStoppedIsJudgedNodeWideAfterTheStart) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    PollWithOtherAndStop(before, 3, 40);
  }
  const std::unique_ptr<ExporterRun> after = StartOneIntervalLater();
  after->PollWithOther(5, 2);
  EXPECT_EQ(after->Sample(kUnexpected1m), 5);
  EXPECT_EQ(after->Sample("vmq_target_resets_total{target=\"a\",cause=\"metrics_reset\"}"), 1);
}

// A reset the journal saw after the snapshot: the snapshot's baseline is older than that
// reset, so the first page after the start is the detector's new baseline instead.
TEST_F(StateStoreTest, AResetAfterTheSnapshotDropsItsResetBaseline) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    PollWithOtherAndStop(before, 30, 40);
    before.Drain();
    clock_.Advance(kInterval);
    before.PollWithOther(2, 1);  // a metrics reset, journaled after the snapshot: +2
    before.Drain();
  }
  const std::unique_ptr<ExporterRun> after = StartOneIntervalLater();
  // Below the snapshot's 30 and 40, above the journaled 2 and 1: no reset, +1.
  after->PollWithOther(3, 5);
  EXPECT_EQ(after->Sample(kUnexpected1m), 3);
  // None in this run (the reset was counted by the one before).
  EXPECT_EQ(after->Sample("vmq_target_resets_total{target=\"a\",cause=\"metrics_reset\"}"), 0);
}

// Snapshots replace the journal as it grows; what is restored is the same either way.
TEST_F(StateStoreTest, CompactionKeepsTheStateExact) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    for (int i = 0; i < 800; ++i) {
      before.PollTimes(1, &counter_, i % 3);
      before.Drain();  // the writer keeps up when polls are seconds apart
    }
    // One at start per target, then the journal of a reached 64 KiB at least once.
    EXPECT_GE(before.Sample("vmq_exporter_storage_snapshots_written_total"), 3);
    EXPECT_EQ(before.Sample(kUnexpected1m), 12);  // the last 12 polls: 4 x (0 + 1 + 2)
  }
  std::string error;
  std::string journal;
  ASSERT_EQ(ReadFileBounded(JournalPath("a"), kMaxFileBytes, &journal, &error), ReadStatus::kOk);
  std::string snapshot;
  ASSERT_EQ(ReadFileBounded(SnapshotPath("a"), kMaxFileBytes, &snapshot, &error), ReadStatus::kOk);
  EXPECT_LE(journal.size(), std::max(snapshot.size(), StateStore::kMinCompactBytes) + 1024);
  clock_.Advance(Millis(1000));
  ExporterRun after(kConfig, dir_.path(), clock_);
  clock_.Advance(Millis(4000));
  after.Poll("a", counter_);
  EXPECT_EQ(after.Sample(kUnexpected1m), 12 - (799 - 11) % 3);  // one poll left the window
  EXPECT_EQ(after.Sample(kCoverage1m), 1);
}

TEST_F(StateStoreTest, WithoutStorageARestartStartsEmpty) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_, /*storage=*/false);
    before.PollTimes(14, &counter_, 1);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
  ExporterRun after(kConfig, dir_.path(), clock_, /*storage=*/false);
  after.PollTimes(1, &counter_, 4);
  EXPECT_EQ(after.Sample(kUnexpected1m), 0);  // a baseline
}

TEST_F(StateStoreTest, CorruptSnapshotIsIgnoredWithAWarningAndOverwritten) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    before.PollTimes(14, &counter_, 1);
    before.runtime().SaveAll();
  }
  std::string bytes;
  std::string error;
  ASSERT_EQ(ReadFileBounded(SnapshotPath("a"), kMaxFileBytes, &bytes, &error), ReadStatus::kOk);
  bytes[bytes.size() / 2] ^= 0x10;
  ASSERT_TRUE(WriteFileAtomically(SnapshotPath("a"), bytes, false, &error));
  clock_.Advance(Millis(2000));
  {
    ExporterRun after(kConfig, dir_.path(), clock_);
    EXPECT_THAT(after.Log(), HasSubstr("ignoring state file"));
    EXPECT_THAT(after.Log(), HasSubstr("reason=corrupt"));
    EXPECT_EQ(after.Sample("vmq_exporter_storage_files_ignored_total{reason=\"corrupt\"}"), 1);
    EXPECT_EQ(after.Sample("vmq_exporter_storage_targets_restored_total"), 1);  // b only
    after.PollTimes(1, &counter_, 4);
    EXPECT_EQ(after.Sample(kUnexpected1m), 0);  // started empty: a baseline
  }
  // The corrupt file was replaced by the new run's state.
  ExporterRun third(kConfig, dir_.path(), clock_);
  EXPECT_EQ(third.Sample("vmq_exporter_storage_files_ignored_total{reason=\"corrupt\"}"), 0);
}

TEST_F(StateStoreTest, ATargetWhoseUrlChangedStartsEmpty) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    before.PollTimes(14, &counter_, 1);
  }
  std::string moved = kConfig;
  moved.replace(moved.find("http://a:8888"), 13, "http://a:9999");
  ExporterRun after(moved, dir_.path(), clock_);
  EXPECT_EQ(after.Sample("vmq_exporter_storage_files_ignored_total{reason=\"other_target\"}"), 1);
  after.PollTimes(1, &counter_, 4);
  EXPECT_EQ(after.Sample(kUnexpected1m), 0);
}

// A journal cut in the middle of an entry (power loss) replays the entries before the cut.
TEST_F(StateStoreTest, TornJournalTailKeepsTheEntriesBeforeIt) {
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    before.PollTimes(5, &counter_, 1);
  }
  std::string journal;
  std::string error;
  ASSERT_EQ(ReadFileBounded(JournalPath("a"), kMaxFileBytes, &journal, &error), ReadStatus::kOk);
  journal.resize(journal.size() - 3);
  ASSERT_TRUE(WriteFileAtomically(JournalPath("a"), journal, false, &error));
  clock_.Advance(Millis(2000));
  ExporterRun after(kConfig, dir_.path(), clock_);
  EXPECT_THAT(after.Log(), HasSubstr("ignoring state file"));
  clock_.Advance(Millis(3000));
  after.Poll("a", counter_);
  // Polls 1-4 restored (3 increases), the 5th lost: its increase comes with this poll.
  EXPECT_EQ(after.Sample(kUnexpected1m), 4);
  EXPECT_LT(after.Sample(kCoverage1m), 1);
}

// The directory vanishes while the exporter runs: writes fail, are counted and logged once,
// polling goes on, and once the directory is back a fresh snapshot makes the files whole.
TEST_F(StateStoreTest, FailedWritesAreCountedAndRecoveredFromWithASnapshot) {
  const std::string dir = dir_.path() + "/state";
  {
    ExporterRun before(kConfig, dir, clock_);
    before.PollTimes(2, &counter_, 1);
    before.Drain();
    std::filesystem::remove_all(dir);
    before.PollTimes(3, &counter_, 1);
    before.Drain();
    EXPECT_EQ(before.Sample(kUnexpected1m), 4);
    std::filesystem::create_directory(dir);
    before.PollTimes(9, &counter_, 1);
    before.Drain();
    before.PollTimes(1, &counter_, 0);  // publishes the counters as they are now
    EXPECT_GE(before.Sample("vmq_exporter_storage_write_errors_total"), 1);
    EXPECT_EQ(CountOf(before.Log(), "cannot write state"), 1u) << before.Log();
  }
  clock_.Advance(Millis(2000));
  ExporterRun after(kConfig, dir, clock_);
  clock_.Advance(Millis(3000));
  after.Poll("a", counter_);
  // 16 polls 5 s apart: the window holds the last 12, of which polls 5 to 14 saw +1. Without
  // the snapshot after the directory came back, this run would have started empty.
  EXPECT_EQ(after.Sample(kUnexpected1m), 10);
  EXPECT_EQ(after.Sample(kCoverage1m), 1);
}

// A writer stuck on its disk (here: the journal replaced by a FIFO nobody reads, so that the
// writer's open blocks) never stalls a poll; what no longer fits in the queue is dropped,
// counted and logged once, and the first snapshot after the disk comes back recovers.
TEST_F(StateStoreTest, AStuckWriterDropsWritesWithoutStallingPollsAndASnapshotRecovers) {
  const std::string dir = dir_.path() + "/state";
  const std::string journal = dir + "/" + StateStore::FileStem("a") + ".journal";
  {
    ExporterRun before(kConfig, dir, clock_, true, 16 * 1024);
    before.PollTimes(3, &counter_, 1);
    before.Drain();
    std::filesystem::remove(journal);
    ASSERT_EQ(::mkfifo(journal.c_str(), 0600), 0);
    before.PollTimes(400, &counter_, 1);  // the writer blocks on the first of them
    EXPECT_EQ(before.Sample(kUnexpected1m), 12);
    before.PollTimes(1, &counter_, 1);  // publishes the counters as they are now
    EXPECT_GT(before.Sample("vmq_exporter_storage_writes_dropped_total"), 0);
    EXPECT_EQ(CountOf(before.Log(), "storage writer has fallen behind"), 1u) << before.Log();
    // The disk comes back: a reader lets the blocked open through, and the journal is gone
    // for the writes after it (each then fails and asks for a snapshot).
    const int reader = ::open(journal.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    std::filesystem::remove(journal);
    before.Drain();
    ::close(reader);
    before.PollTimes(13, &counter_, 1);
    before.Drain();
    EXPECT_EQ(before.Sample(kUnexpected1m), 12);
  }
  clock_.Advance(Millis(2000));
  ExporterRun after(kConfig, dir, clock_);
  clock_.Advance(Millis(3000));
  after.Poll("a", counter_);
  // The last 12 polls before the kill saw +1 each; the oldest of them has just left the window.
  EXPECT_EQ(after.Sample(kUnexpected1m), 11);
  EXPECT_EQ(after.Sample(kCoverage1m), 1);
}

// A node-wide metrics reset (a counter went down, the uptime did not) makes every series count
// its new value; the journal carries that verdict, so a replay counts what the run counted.
TEST_F(StateStoreTest, ANodeWideResetReplaysAsItWasCounted) {
  const std::string v5 =
      "vmq_pubcomp_unexpected_received{target=\"a\",node=\"n\",mqtt_version=\"5\",window=\"1m\"}";
  double v4_before = 0;
  double v5_before = 0;
  {
    ExporterRun before(kConfig, dir_.path(), clock_);
    for (int i = 0; i < 5; ++i) {
      clock_.Advance(kInterval);
      before.PollBoth(100 + i, 10);
    }
    clock_.Advance(kInterval);
    before.PollBoth(5, 12);  // v4 went down: reset; v5 counts 12, not 2
    v4_before = before.Sample(kUnexpected1m);
    v5_before = before.Sample(v5);
    EXPECT_EQ(v5_before, 12);
  }
  clock_.Advance(Millis(1000));
  ExporterRun after(kConfig, dir_.path(), clock_);
  clock_.Advance(Millis(4000));
  after.PollBoth(5, 12);
  EXPECT_EQ(after.Sample(kUnexpected1m), v4_before);
  EXPECT_EQ(after.Sample(v5), v5_before);
}

TEST_F(StateStoreTest, AnUnwritableDirectoryIsAStartUpError) {
  std::ofstream(dir_.path() + "/file") << "x";
  std::ostringstream log;
  Logger logger(log, LogLevel::kInfo, LogFormat::kLogfmt);
  app::Runtime runtime(config::LoadString(kConfig, "c.yaml"), clock_, logger, {"test", "test"});
  EXPECT_THROW(StateStore(dir_.path() + "/file/sub", clock_, logger, runtime.registry()),
               std::runtime_error);
}

}  // namespace
}  // namespace vmq::storage
