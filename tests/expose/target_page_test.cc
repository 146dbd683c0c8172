#include "expose/target_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/http.h"
#include "evaluate/target_evaluator.h"
#include "expose/http_server.h"
#include "expose/page_assembler.h"
#include "signals/selector.h"

namespace vmq::expose {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::SampleValue;

constexpr Millis kMinute{60000};
constexpr Millis kFiveMinutes{300000};

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

signals::RawSeries Series(std::string source, signals::LabelPairs labels, uint64_t value) {
  signals::RawSeries series{"", std::move(source), std::move(labels), value};
  series.key = series.source;
  for (const auto& [name, label_value] : series.labels)
    series.key += "|" + name + "=" + label_value;
  return series;
}

// One target whose history saw a baseline and then one poll with known increases.
struct FakeTarget {
  explicit FakeTarget(std::string name, const config::Config& config)
      : history({kMinute, kFiveMinutes}, Millis(2000)), evaluator(config.signals, config.windows) {
    status.name = std::move(name);
    status.node = "VerneMQ@10.0.0.1";
    status.polled = true;
    status.up = true;
  }

  void Poll(MonoTime at, const std::vector<signals::RawSeries>& page) {
    std::vector<window::Observation> observations;
    for (const auto& s : page) {
      if (series.emplace(s.key, s).second) evaluator.Track(s);
      observations.push_back({s.key, s.value});
    }
    history.RecordSuccess(at, std::nullopt, observations);
  }

  std::shared_ptr<const TargetPage> Render(const PageLayout& layout, MonoTime now) {
    evaluator.SetPageNode(status.node);
    const evaluate::TargetValues values = evaluator.Evaluate(history, now);
    const window::HistoryStats stats = history.stats();
    return std::make_shared<const TargetPage>(
        RenderTargetPage(layout, {status, values, stats, history.series_count(), {}}));
  }

  TargetStatus status;
  window::TargetHistory history;
  evaluate::TargetEvaluator evaluator;
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

class TargetPageTest : public ::testing::Test {
 protected:
  TargetPageTest() {
    config_.windows = {{"1m", kMinute}, {"5m", kFiveMinutes}};
    config_.signals = config::DefaultSignals();
  }

  // The page as a scrape sees it: every target's part, assembled.
  std::string Render(const std::vector<FakeTarget*>& targets) {
    const PageLayout layout(config_);
    PageAssembler assembler(layout, clock_, nullptr);
    for (FakeTarget* target : targets) {
      assembler.Publish(target->status.name, target->Render(layout, now_));
    }
    return assembler.Current()->metrics_text;
  }

  FakeTarget Target(std::string name) const { return FakeTarget(std::move(name), config_); }

  config::Config config_;
  FakeClock clock_;
  MonoTime now_ = MonoTime(std::chrono::hours(100));
};

TEST_F(TargetPageTest, PublishesExactWindowCountsPerNodeAndVersion) {
  FakeTarget target = Target("vmq-1");
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

TEST_F(TargetPageTest, LeavesOutWindowCountsOfTargetThatIsDown) {
  FakeTarget up = Target("vmq-1");
  FakeTarget down = Target("vmq-2");
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

TEST_F(TargetPageTest, PublishesEveryErrorReasonFromZero) {
  FakeTarget target = Target("vmq-1");
  target.status.poll_errors_total = {{"connect", 0}, {"timeout", 2}};
  const std::string page = Render({&target});
  EXPECT_EQ(SampleValue(page, "vmq_target_poll_errors_total{target=\"vmq-1\",reason=\"connect\"}"),
            0);
  EXPECT_EQ(SampleValue(page, "vmq_target_poll_errors_total{target=\"vmq-1\",reason=\"timeout\"}"),
            2);
}

TEST_F(TargetPageTest, EscapesHelpOfConfiguredSignals) {
  config_.signals.front().help = "line one\nback\\slash";
  FakeTarget target = Target("vmq-1");
  target.Poll(now_ - Millis(2000), Page(0, 0, 0));
  const std::string page = Render({&target});
  EXPECT_THAT(page, HasSubstr("line one\\nback\\\\slash"));
  EXPECT_THAT(page, Not(HasSubstr("line one\nback")));
}

TEST_F(TargetPageTest, WritesEachFamilyHeaderOnceAcrossTargets) {
  FakeTarget a = Target("vmq-1");
  FakeTarget b = Target("vmq-2");
  for (FakeTarget* target : {&a, &b}) {
    target->Poll(now_ - Millis(2000), Page(0, 0, 0));
    target->Poll(now_ - Millis(1000), Page(1, 2, 3));
  }
  const std::string page = Render({&a, &b});
  for (const std::string family : {"vmq_pubcomp_unexpected_received", "vmq_window_coverage_ratio",
                                   "vmq_window_uncovered_seconds", "vmq_target_up"}) {
    EXPECT_EQ(Occurrences(page, "# TYPE " + family + " "), 1u) << family;
    EXPECT_TRUE(testing::HasSeriesWithLabel(page, family, "target=\"vmq-1\"")) << family;
    EXPECT_TRUE(testing::HasSeriesWithLabel(page, family, "target=\"vmq-2\"")) << family;
  }
  // A family's samples follow its header: no header of another family between them.
  const size_t header = page.find("# TYPE vmq_target_up ");
  const size_t next_header = page.find("# HELP", header + 1);
  EXPECT_NE(page.rfind("vmq_target_up{target=\"vmq-2\"}", next_header), std::string::npos);
  EXPECT_GT(page.rfind("vmq_target_up{target=\"vmq-2\"}", next_header), header);
}

TEST_F(TargetPageTest, EscapesLabelValuesOfTheTargetName) {
  FakeTarget target = Target("a\"b\\c");
  const std::string page = Render({&target});
  EXPECT_THAT(page, HasSubstr("vmq_target_up{target=\"a\\\"b\\\\c\"} 1\n"));
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
