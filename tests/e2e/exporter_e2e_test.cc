// The real exporter binary polling the real vmq-sim binary over loopback HTTP: exact window
// counts for 2.x, 1.x and custom-namespace nodes, across a restart and an outage, compared
// with the simulator's own record of the events it applied.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <set>
#include <sstream>
#include <string>

#include "common/fixtures.h"
#include "common/http.h"
#include "common/process.h"
#include "e2e/cluster.h"

namespace vmq::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr char kConfigTemplate[] = R"(targets:
  - {name: vmq-1, url: "http://127.0.0.1:PORT1/metrics"}
  - {name: vmq-2, url: "http://127.0.0.1:PORT2/metrics"}
  - {name: vmq-3, url: "http://127.0.0.1:PORT3/metrics"}
poll: {interval: 1s, timeout: 800ms}
windows: [5s, 1m]
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

std::string Unexpected(const std::string& target, const std::string& node,
                       const std::string& version, const std::string& window) {
  return "vmq_pubcomp_unexpected_received{target=\"" + target + "\",node=\"" + node +
         "\",mqtt_version=\"" + version + "\",window=\"" + window + "\"}";
}

// The true number of unexpected PUBCOMPs per node and MQTT version, from vmq-sim's record.
std::map<std::string, int> UnexpectedFromSimRecord(const std::string& events_json) {
  std::map<std::string, int> counts;
  for (const auto& event : nlohmann::json::parse(events_json)) {
    const std::string kind = event.at("event");
    const std::string node = event.at("node");
    const int count = event.value("count", 1);
    if (kind == "v4_pubcomp_unknown_id") counts[node + "/4"] += count;
    if (kind == "v5_pubcomp_unknown_id" || kind == "v5_pubcomp_unknown_id_rc92") {
      counts[node + "/5"] += count;
    }
  }
  return counts;
}

class ExporterEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    cluster_ = new SimulatedCluster(
        *dir_,
        {{"vmq-1", "2.x", "", true}, {"vmq-2", "1.x", "", false}, {"vmq-3", "2.x", "myns_", true}},
        /*qos2_per_s=*/2);
    ASSERT_TRUE(cluster_->ok());
    std::string config = kConfigTemplate;
    for (int i = 1; i <= 3; ++i) {
      const std::string name = "vmq-" + std::to_string(i);
      config =
          Replace(config, "PORT" + std::to_string(i), std::to_string(cluster_->node_port(name)));
    }
    exporter_ = new Exporter(*dir_, config);
    ASSERT_TRUE(exporter_->WaitReady()) << exporter_->process().Stderr();
  }

  static void TearDownTestSuite() {
    delete exporter_;
    delete cluster_;
    delete dir_;
  }

  // Waits until the sample has the value (the exporter polls every second).
  static bool WaitForValue(const std::string& series, double value) {
    return WaitFor([&] { return SampleValue(exporter_->Metrics(), series) == value; }, seconds(10));
  }

  static std::string Node(const std::string& target) {
    const std::string page = exporter_->Metrics();
    std::istringstream lines(page);
    std::string line;
    const std::string prefix = "vmq_target_info{target=\"" + target + "\",node=\"";
    while (std::getline(lines, line)) {
      if (line.rfind(prefix, 0) == 0) {
        return line.substr(prefix.size(), line.find('"', prefix.size()) - prefix.size());
      }
    }
    return "";
  }

  static TempDir* dir_;
  static SimulatedCluster* cluster_;
  static Exporter* exporter_;
};

TempDir* ExporterEndToEnd::dir_ = nullptr;
SimulatedCluster* ExporterEndToEnd::cluster_ = nullptr;
Exporter* ExporterEndToEnd::exporter_ = nullptr;

TEST_F(ExporterEndToEnd, CountsExactlyAcrossLayoutsRestartAndAgeing) {
  const std::string n1 = Node("vmq-1"), n2 = Node("vmq-2"), n3 = Node("vmq-3");
  ASSERT_FALSE(n1.empty());
  ASSERT_FALSE(n2.empty());
  ASSERT_FALSE(n3.empty());
  const std::string page = exporter_->Metrics();
  EXPECT_THAT(page,
              HasSubstr("vmq_target_info{target=\"vmq-2\",node=\"" + n2 + "\",namespace=\"\"}"));
  EXPECT_THAT(
      page, HasSubstr("vmq_target_info{target=\"vmq-3\",node=\"" + n3 + "\",namespace=\"myns_\"}"));

  ASSERT_EQ(cluster_->Inject("vmq-1", "v4_pubcomp_unknown_id", 3), 200);
  ASSERT_EQ(cluster_->Inject("vmq-2", "v5_pubcomp_unknown_id", 7), 200);
  ASSERT_EQ(cluster_->Inject("vmq-3", "v5_pubcomp_unknown_id_rc92", 2), 200);
  ASSERT_TRUE(WaitForValue(Unexpected("vmq-1", n1, "4", "1m"), 3));
  ASSERT_TRUE(WaitForValue(Unexpected("vmq-2", n2, "5", "1m"), 7));
  ASSERT_TRUE(WaitForValue(Unexpected("vmq-3", n3, "5", "1m"), 2));

  // A restart followed at once by more events than before: the counter is higher than the
  // exporter last saw, only system_wallclock shows the reset.
  ASSERT_EQ(cluster_->Inject("vmq-1", "restart"), 200);
  ASSERT_EQ(cluster_->Inject("vmq-1", "v4_pubcomp_unknown_id", 5), 200);
  ASSERT_TRUE(WaitForValue(Unexpected("vmq-1", n1, "4", "1m"), 8));

  // After 5 s without events the short window is back to zero, the long one keeps them.
  ASSERT_TRUE(WaitForValue(Unexpected("vmq-2", n2, "5", "5s"), 0));
  const std::string settled = exporter_->Metrics();
  const auto truth = UnexpectedFromSimRecord(cluster_->Events());
  EXPECT_EQ(truth.at("vmq-1/4"), 8);
  EXPECT_EQ(SampleValue(settled, Unexpected("vmq-1", n1, "4", "1m")), truth.at("vmq-1/4"));
  EXPECT_EQ(SampleValue(settled, Unexpected("vmq-1", n1, "5", "1m")), 0);
  EXPECT_EQ(SampleValue(settled, Unexpected("vmq-2", n2, "5", "1m")), truth.at("vmq-2/5"));
  EXPECT_EQ(SampleValue(settled, Unexpected("vmq-2", n2, "4", "1m")), 0);
  EXPECT_EQ(SampleValue(settled, Unexpected("vmq-3", n3, "5", "1m")), truth.at("vmq-3/5"));
  EXPECT_EQ(SampleValue(settled, "vmq_pubcomp_received_unsuccessful{target=\"vmq-3\",node=\"" + n3 +
                                     "\",mqtt_version=\"5\",window=\"1m\"}"),
            2);
  EXPECT_GE(SampleValue(settled, "vmq_target_resets_total{target=\"vmq-1\",cause=\"restart\"}"), 1);
}

TEST_F(ExporterEndToEnd, DownNodeIsShownDownWithoutFreshZeros) {
  ASSERT_EQ(cluster_->Inject("vmq-3", "down", 1, "refuse"), 200);
  ASSERT_TRUE(WaitForValue("vmq_target_up{target=\"vmq-3\"}", 0));
  const std::string page = exporter_->Metrics();
  EXPECT_FALSE(HasSeriesWithLabel(page, "vmq_pubcomp_unexpected_received", "target=\"vmq-3\""));
  EXPECT_FALSE(HasSeriesWithLabel(page, "vmq_pubcomp_received", "target=\"vmq-3\""));
  EXPECT_TRUE(HasSeriesWithLabel(page, "vmq_pubcomp_unexpected_received", "target=\"vmq-1\""));
  EXPECT_GE(SampleValue(page, "vmq_target_poll_errors_total{target=\"vmq-3\",reason=\"connect\"}"),
            1);
  EXPECT_LT(SampleValue(page, "vmq_window_coverage_ratio{target=\"vmq-3\",window=\"5s\"}"), 1);
  EXPECT_THAT(HttpGet(exporter_->port(), "/").body, HasSubstr("<td>down</td>"));

  ASSERT_EQ(cluster_->Inject("vmq-3", "up"), 200);
  ASSERT_TRUE(WaitForValue("vmq_target_up{target=\"vmq-3\"}", 1));
}

TEST_F(ExporterEndToEnd, CountsEachKindOfBadUpstreamByReason) {
  const std::map<std::string, std::string> modes = {
      {"hang", "timeout"}, {"http_500", "http_status"}, {"garbage", "not_vernemq"}};
  for (const auto& [mode, reason] : modes) {
    const std::string series =
        "vmq_target_poll_errors_total{target=\"vmq-2\",reason=\"" + reason + "\"}";
    const double before = SampleValue(exporter_->Metrics(), series);
    ASSERT_EQ(cluster_->Inject("vmq-2", "down", 1, mode), 200);
    EXPECT_TRUE(
        WaitFor([&] { return SampleValue(exporter_->Metrics(), series) > before; }, seconds(10)))
        << mode;
    EXPECT_EQ(SampleValue(exporter_->Metrics(), "vmq_target_up{target=\"vmq-2\"}"), 0) << mode;
    ASSERT_EQ(cluster_->Inject("vmq-2", "up"), 200);
    ASSERT_TRUE(WaitForValue("vmq_target_up{target=\"vmq-2\"}", 1)) << mode;
  }
  ASSERT_EQ(cluster_->Inject("vmq-2", "down", 1, "truncated"), 200);
  EXPECT_TRUE(WaitFor(
      [&] {
        return SampleValue(exporter_->Metrics(),
                           "vmq_target_page_bad_lines_total{target=\"vmq-2\"}") > 0;
      },
      seconds(10)));
  ASSERT_EQ(cluster_->Inject("vmq-2", "up"), 200);
  EXPECT_TRUE(exporter_->process().Running());
}

TEST_F(ExporterEndToEnd, OutputPassesPromtoolAndIsServedGzipped) {
  const std::string file = dir_->Write("metrics.txt", exporter_->Metrics());
  std::string output;
  EXPECT_EQ(RunCommand({"sh", "-c", "promtool check metrics < " + file}, &output), 0) << output;
  EXPECT_EQ(output, "");

  const HttpResponse gzipped =
      HttpGet(exporter_->port(), "/metrics", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.headers.count("Content-Encoding") ? gzipped.headers.at("Content-Encoding") : "",
            "gzip");
  EXPECT_EQ(gzipped.headers.at("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(HttpGet(exporter_->port(), "/-/healthy").status, 200);
}

TEST_F(ExporterEndToEnd, EveryExportedMetricIsDocumented) {
  std::string docs;
  ASSERT_TRUE(ReadFile(std::string(VMQ_SOURCE_DIR) + "/docs/metrics.md", &docs));
  std::istringstream lines(exporter_->Metrics());
  std::string line;
  int families = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    const std::string name = line.substr(7, line.find(' ', 7) - 7);
    ++families;
    EXPECT_NE(docs.find("`" + name + "`"), std::string::npos)
        << name << " is not in docs/metrics.md";
  }
  EXPECT_GE(families, 10);
}

}  // namespace
}  // namespace vmq::testing
