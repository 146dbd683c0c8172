#include "expose/metrics_renderer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/http.h"
#include "expose/http_server.h"
#include "signals/selector.h"

namespace vmq::expose {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::SampleValue;

constexpr Millis kMinute{60000};
constexpr Millis kFiveMinutes{300000};

signals::RawSeries Series(std::string source, signals::LabelPairs labels, uint64_t value) {
  signals::RawSeries series{"", std::move(source), std::move(labels), value};
  series.key = series.source;
  for (const auto& [name, label_value] : series.labels)
    series.key += "|" + name + "=" + label_value;
  return series;
}

// One target whose history saw a baseline and then one poll with known increases.
struct FakeTarget {
  explicit FakeTarget(std::string name) : history({kMinute, kFiveMinutes}, Millis(2000)) {
    status.name = std::move(name);
    status.node = "VerneMQ@10.0.0.1";
    status.polled = true;
    status.up = true;
  }

  void Poll(MonoTime at, const std::vector<signals::RawSeries>& page) {
    std::vector<window::Observation> observations;
    for (const auto& s : page) {
      series.emplace(s.key, s);
      observations.push_back({s.key, s.value});
    }
    history.RecordSuccess(at, std::nullopt, observations);
  }

  TargetView View() const { return {status, history, series}; }

  TargetStatus status;
  window::TargetHistory history;
  std::map<std::string, signals::RawSeries> series;
};

std::vector<signals::RawSeries> Page(uint64_t v4_unexpected, uint64_t v5_unexpected,
                                     uint64_t rc92_received) {
  const std::string node = "VerneMQ@10.0.0.1";
  return {
      Series("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", node}}, v4_unexpected),
      Series("mqtt_pubcomp_invalid_error", {{"mqtt_version", "5"}, {"node", node}}, v5_unexpected),
      Series("mqtt_pubcomp_received", {{"mqtt_version", "4"}, {"node", node}}, v4_unexpected),
      Series("mqtt_pubcomp_received",
             {{"mqtt_version", "5"}, {"node", node}, {"reason_code", "success"}}, v5_unexpected),
      Series("mqtt_pubcomp_received",
             {{"mqtt_version", "5"}, {"node", node}, {"reason_code", "packet_id_not_found"}},
             rc92_received),
  };
}

class MetricsRendererTest : public ::testing::Test {
 protected:
  MetricsRendererTest() {
    config_.windows = {{"1m", kMinute}, {"5m", kFiveMinutes}};
    config_.signals = config::DefaultSignals();
  }

  std::string Render(const std::vector<const FakeTarget*>& targets) {
    std::vector<TargetView> views;
    for (const FakeTarget* target : targets) views.push_back(target->View());
    return MetricsRenderer(config_, {"1.2.3", "abc"}).Render(views, now_);
  }

  config::Config config_;
  MonoTime now_ = MonoTime(std::chrono::hours(100));
};

TEST_F(MetricsRendererTest, PublishesExactWindowCountsPerNodeAndVersion) {
  FakeTarget target("vmq-1");
  target.Poll(now_ - Millis(2000), Page(0, 0, 0));
  target.Poll(now_ - Millis(1000), Page(3, 7, 2));
  const std::string page = Render({&target});

  const std::string prefix =
      "vmq_pubcomp_unexpected_received{target=\"vmq-1\",node=\"VerneMQ@10.0.0.1\",";
  EXPECT_EQ(SampleValue(page, prefix + "mqtt_version=\"4\",window=\"1m\"}"), 3);
  EXPECT_EQ(SampleValue(page, prefix + "mqtt_version=\"5\",window=\"1m\"}"), 7);
  EXPECT_EQ(SampleValue(page, prefix + "mqtt_version=\"5\",window=\"5m\"}"), 7);
  EXPECT_EQ(
      SampleValue(page,
                  "vmq_pubcomp_received_unsuccessful{target=\"vmq-1\",node=\"VerneMQ@10.0.0.1\","
                  "mqtt_version=\"5\",window=\"1m\"}"),
      2);
  // v4 has no reason code: the label is left out rather than set empty.
  EXPECT_EQ(SampleValue(page,
                        "vmq_pubcomp_received{target=\"vmq-1\",node=\"VerneMQ@10.0.0.1\","
                        "mqtt_version=\"4\",window=\"1m\"}"),
            3);
  EXPECT_EQ(SampleValue(page,
                        "vmq_pubcomp_received{target=\"vmq-1\",node=\"VerneMQ@10.0.0.1\","
                        "mqtt_version=\"5\",reason_code=\"packet_id_not_found\",window=\"1m\"}"),
            2);
  EXPECT_EQ(SampleValue(page, "vmq_target_up{target=\"vmq-1\"}"), 1);
}

TEST_F(MetricsRendererTest, LeavesOutWindowCountsOfTargetThatIsDown) {
  FakeTarget up("vmq-1");
  FakeTarget down("vmq-2");
  for (FakeTarget* target : {&up, &down}) {
    target->Poll(now_ - Millis(2000), Page(0, 0, 0));
    target->Poll(now_ - Millis(1000), Page(1, 1, 1));
  }
  down.status.up = false;
  down.history.RecordFailure(now_);
  const std::string page = Render({&up, &down});

  EXPECT_TRUE(
      testing::HasSeriesWithLabel(page, "vmq_pubcomp_unexpected_received", "target=\"vmq-1\""));
  EXPECT_FALSE(
      testing::HasSeriesWithLabel(page, "vmq_pubcomp_unexpected_received", "target=\"vmq-2\""));
  EXPECT_FALSE(testing::HasSeriesWithLabel(page, "vmq_pubcomp_received", "target=\"vmq-2\""));
  EXPECT_EQ(SampleValue(page, "vmq_target_up{target=\"vmq-2\"}"), 0);
  EXPECT_TRUE(testing::HasSeriesWithLabel(page, "vmq_window_coverage_ratio", "target=\"vmq-2\""));
}

TEST_F(MetricsRendererTest, PublishesEveryErrorReasonFromZero) {
  FakeTarget target("vmq-1");
  target.status.poll_errors_total = {{"connect", 0}, {"timeout", 2}};
  const std::string page = Render({&target});
  EXPECT_EQ(SampleValue(page, "vmq_target_poll_errors_total{target=\"vmq-1\",reason=\"connect\"}"),
            0);
  EXPECT_EQ(SampleValue(page, "vmq_target_poll_errors_total{target=\"vmq-1\",reason=\"timeout\"}"),
            2);
  EXPECT_EQ(SampleValue(page, "vmq_exporter_build_info{version=\"1.2.3\",revision=\"abc\"}"), 1);
}

TEST_F(MetricsRendererTest, EscapesHelpOfConfiguredSignals) {
  config_.signals.front().help = "line one\nback\\slash";
  FakeTarget target("vmq-1");
  target.Poll(now_ - Millis(2000), Page(0, 0, 0));
  const std::string page = Render({&target});
  EXPECT_THAT(page, HasSubstr("line one\\nback\\\\slash"));
  EXPECT_THAT(page, Not(HasSubstr("line one\nback")));
}

TEST(LandingPage, ListsTargetsWithStateAndEscapedError) {
  Snapshot snapshot;
  TargetStatus down;
  down.name = "vmq-<2>";
  down.url = "http://10.0.0.2:8888/metrics";
  down.polled = true;
  down.last_error = "Connection <refused>";
  snapshot.targets.push_back(down);
  const std::string page = RenderLandingPage(snapshot, "/metrics", "1.0");
  EXPECT_THAT(page, HasSubstr("vmq-&lt;2&gt;"));
  EXPECT_THAT(page, HasSubstr("<td>down</td>"));
  EXPECT_THAT(page, HasSubstr("Connection &lt;refused&gt;"));
  EXPECT_THAT(page, HasSubstr("href=\"/metrics\""));
}

}  // namespace
}  // namespace vmq::expose
