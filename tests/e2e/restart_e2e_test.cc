// --storage.path end to end: the real exporter polling the real vmq-sim, stopped (SIGTERM) or
// killed (SIGKILL) mid-window and started again on the same directory. The 1m counts after the
// restart are checked against the simulator's own record of the events it applied (with the
// CLOCK_MONOTONIC time of each), and coverage must not drop when the restart is shorter than
// the allowed gap (poll.interval + poll.timeout).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "common/fixtures.h"
#include "common/http.h"
#include "common/process.h"
#include "e2e/cluster.h"

namespace vmq::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

// Polls every 2 s; a gap of up to 3.5 s between two good polls is covered. Polls are on a
// grid of the monotonic clock (poll/scheduler.h), the same after a restart: a restart that
// catches the next slot leaves a gap of one interval.
constexpr char kConfigTemplate[] = R"(targets:
  - {name: vmq-1, url: "http://127.0.0.1:PORT/metrics"}
poll: {interval: 2s, timeout: 1500ms}
windows: [10s, 1m]
)";

// Events of `kind` the simulator applied to `node` within the trailing `window` of now.
int EventsInWindow(const std::string& events_json, const std::string& kind, milliseconds window) {
  const auto now_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  int count = 0;
  for (const auto& event : nlohmann::json::parse(events_json)) {
    if (event.at("event") != kind) continue;
    if (event.at("mono_ms").get<int64_t>() > now_ms - window.count()) {
      count += event.value("count", 1);
    }
  }
  return count;
}

class RestartEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ =
        std::make_unique<SimulatedCluster>(dir_, std::vector<SimNode>{{"vmq-1", "2.x", "", true}});
    ASSERT_TRUE(cluster_->ok());
    config_ = kConfigTemplate;
    config_.replace(config_.find("PORT"), 4, std::to_string(cluster_->node_port("vmq-1")));
    state_dir_ = dir_.path() + "/state";
  }

  // Starts an exporter (the n-th run) on the port of the first.
  void Start(bool storage = true) {
    std::vector<std::string> args;
    if (storage) args.push_back("--storage.path=" + state_dir_);
    exporter_ = std::make_unique<Exporter>(dir_, config_, args, port_,
                                           "exporter" + std::to_string(++runs_));
    port_ = exporter_->port();
    ASSERT_TRUE(exporter_->WaitReady()) << exporter_->process().Stderr();
    ASSERT_TRUE(WaitFor([&] { return Value("vmq_target_up{target=\"vmq-1\"}") == 1; }, seconds(10)))
        << exporter_->process().Stderr();
    if (node_.empty()) node_ = Node();
  }

  double Value(const std::string& series) const {
    return SampleValue(exporter_->Metrics(), series);
  }
  std::string Unexpected(const std::string& window) const {
    return "vmq_pubcomp_unexpected_received{target=\"vmq-1\",node=\"" + node_ +
           "\",mqtt_version=\"4\",window=\"" + window + "\"}";
  }
  static std::string Coverage(const std::string& window) {
    return "vmq_window_coverage_ratio{target=\"vmq-1\",window=\"" + window + "\"}";
  }
  std::string Node() const {
    std::istringstream lines(exporter_->Metrics());
    std::string line;
    const std::string prefix = "vmq_target_info{target=\"vmq-1\",node=\"";
    while (std::getline(lines, line)) {
      if (line.rfind(prefix, 0) == 0) {
        return line.substr(prefix.size(), line.find('"', prefix.size()) - prefix.size());
      }
    }
    return "";
  }
  // Returns right after the exporter recorded a poll: the next is an interval away.
  void WaitForAPoll() {
    const std::string polls = "vmq_target_polls_total{target=\"vmq-1\"}";
    const double before = Value(polls);
    ASSERT_TRUE(WaitFor([&] { return Value(polls) > before; }, seconds(10)));
  }
  bool WaitForValue(const std::string& series, double value) {
    return WaitFor([&] { return Value(series) == value; }, seconds(10));
  }
  void Inject(int count) {
    ASSERT_EQ(cluster_->Inject("vmq-1", "v4_pubcomp_unknown_id", count), 200);
  }
  int Truth1m() const {
    return EventsInWindow(cluster_->Events(), "v4_pubcomp_unknown_id", seconds(60));
  }
  std::string StateFile() const {
    for (const auto& entry : std::filesystem::directory_iterator(state_dir_)) {
      if (entry.path().extension() == ".state") return entry.path().string();
    }
    return "";
  }

  TempDir dir_;
  std::unique_ptr<SimulatedCluster> cluster_;
  std::unique_ptr<Exporter> exporter_;
  std::string config_;
  std::string state_dir_;
  std::string node_;
  int port_ = 0;
  int runs_ = 0;
};

TEST_F(RestartEndToEnd, KillNineMidWindowLosesNoCountAndNoCoverage) {
  Start();
  Inject(3);
  ASSERT_TRUE(WaitForValue(Unexpected("1m"), 3));
  // 10 s of polls: the short window is covered.
  ASSERT_TRUE(WaitFor([&] { return Value(Coverage("10s")) == 1; }, seconds(20)));
  WaitForAPoll();
  const double coverage_1m = Value(Coverage("1m"));
  ASSERT_EQ(kill(exporter_->process().pid(), SIGKILL), 0);
  ASSERT_EQ(exporter_->process().Wait(seconds(5)), 128 + SIGKILL);
  Inject(2);  // while the exporter is down
  Start();
  // The first poll after the restart: the 2 events of the downtime on top of the 3 before.
  ASSERT_TRUE(WaitForValue(Unexpected("1m"), 5)) << Value(Unexpected("1m"));
  const std::string page = exporter_->Metrics();
  EXPECT_EQ(SampleValue(page, Unexpected("1m")), Truth1m());
  EXPECT_EQ(SampleValue(page, Coverage("10s")), 1);
  EXPECT_GT(SampleValue(page, Coverage("1m")), coverage_1m);
  EXPECT_EQ(SampleValue(page, "vmq_exporter_storage_targets_restored_total"), 1);
  EXPECT_THAT(exporter_->process().Stderr(), HasSubstr("restored state"));
}

TEST_F(RestartEndToEnd, SigtermWritesTheStateAndARestartContinuesIt) {
  Start();
  Inject(4);
  ASSERT_TRUE(WaitForValue(Unexpected("1m"), 4));
  ASSERT_TRUE(WaitFor([&] { return Value(Coverage("10s")) == 1; }, seconds(20)));
  WaitForAPoll();
  EXPECT_EQ(exporter_->process().Stop(seconds(5)), 0);
  EXPECT_FALSE(StateFile().empty());
  Inject(1);
  Start();
  ASSERT_TRUE(WaitForValue(Unexpected("1m"), 5)) << Value(Unexpected("1m"));
  EXPECT_EQ(Value(Unexpected("1m")), Truth1m());
  EXPECT_EQ(Value(Coverage("10s")), 1);
  // The 10 s window forgets the 4 events of the first run on time.
  ASSERT_TRUE(WaitFor([&] { return Value(Unexpected("10s")) == 0; }, seconds(20)));
  EXPECT_EQ(Value(Unexpected("1m")), Truth1m());
}

TEST_F(RestartEndToEnd, WithoutStoragePathARestartStartsEmpty) {
  Start(/*storage=*/false);
  Inject(3);
  ASSERT_TRUE(WaitForValue(Unexpected("1m"), 3));
  EXPECT_EQ(exporter_->process().Stop(seconds(5)), 0);
  EXPECT_FALSE(std::filesystem::exists(state_dir_));
  Inject(2);
  Start(/*storage=*/false);
  WaitForAPoll();
  // The first poll is a baseline: nothing before it is known.
  EXPECT_EQ(Value(Unexpected("1m")), 0);
  EXPECT_LT(Value(Coverage("10s")), 1);
}

TEST_F(RestartEndToEnd, CorruptStateFileIsIgnoredWithAWarning) {
  Start();
  Inject(3);
  ASSERT_TRUE(WaitForValue(Unexpected("1m"), 3));
  EXPECT_EQ(exporter_->process().Stop(seconds(5)), 0);
  const std::string file = StateFile();
  ASSERT_FALSE(file.empty());
  {
    std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(20);
    out.put('\x5a');
  }
  Start();
  EXPECT_THAT(exporter_->process().Stderr(), HasSubstr("ignoring state file"));
  EXPECT_EQ(Value("vmq_exporter_storage_files_ignored_total{reason=\"corrupt\"}"), 1);
  EXPECT_EQ(Value("vmq_exporter_storage_targets_restored_total"), 0);
  WaitForAPoll();
  EXPECT_EQ(Value(Unexpected("1m")), 0);  // started empty: a baseline
  EXPECT_TRUE(exporter_->process().Running());
}

// The directory is checked at start, like the configuration: an exporter that could not keep
// its state refuses to run instead of losing it silently.
TEST_F(RestartEndToEnd, AStoragePathThatCannotBeWrittenIsAStartUpError) {
  const std::string config = dir_.Write("config.yaml", config_);
  const std::string file = dir_.Write("not-a-dir", "x");
  std::string output;
  EXPECT_EQ(RunExporter({"--config.file=" + config, "--web.listen-address=127.0.0.1:0",
                         "--storage.path=" + file + "/state"},
                        &output),
            2);
  EXPECT_THAT(output, HasSubstr("--storage.path: cannot create"));
}

}  // namespace
}  // namespace vmq::testing
