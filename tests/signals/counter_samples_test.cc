// The selector's report of every counter sample, and reset detection over real pages: the
// captured `vmq-admin metrics reset` and restart of a VerneMQ 2.1.2 node.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "config/config.h"
#include "signals/selector.h"
#include "window/reset_detector.h"

namespace vmq::signals {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

// Counter samples of a page counted the plain way: sample lines whose name a TYPE line
// declared a counter, wallclock aside.
size_t CounterLines(const std::string& page) {
  std::set<std::string> counters;
  size_t lines = 0;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name;
      std::string type;
      words >> name >> type;
      if (type == "counter") counters.insert(name);
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const std::string name = line.substr(0, line.find_first_of("{ "));
    if (counters.contains(name) && !name.ends_with("system_wallclock")) ++lines;
  }
  return lines;
}

const CounterSample* FindCounter(const SelectedPage& selected, std::string_view text) {
  for (const CounterSample& sample : selected.counters) {
    if (sample.series == text) return &sample;
  }
  return nullptr;
}

class CounterSamplesTest : public ::testing::Test {
 protected:
  Selector selector_{config::DefaultSignals()};
};

TEST_F(CounterSamplesTest, ReportsEveryCounterSampleOfARealPageTrackedOrNot) {
  const std::string page = testing::ReadFixture("2.1.2/09-before-metrics-reset.txt");
  const SelectedPage selected = selector_.Select(page);
  EXPECT_GT(CounterLines(page), 100u);
  EXPECT_THAT(selected.counters, SizeIs(CounterLines(page)));
  // A tracked series, an untracked one, none of the gauges, histograms or the wallclock.
  const CounterSample* tracked = FindCounter(
      selected,
      "vernemq_mqtt_pubcomp_invalid_error{node=\"VerneMQ@127.0.0.1\",mqtt_version=\"4\"}");
  ASSERT_NE(tracked, nullptr);
  EXPECT_EQ(tracked->value, 4u);
  const CounterSample* untracked =
      FindCounter(selected, "vernemq_socket_open{node=\"VerneMQ@127.0.0.1\"}");
  ASSERT_NE(untracked, nullptr);
  EXPECT_EQ(untracked->value, 13u);
  for (const CounterSample& sample : selected.counters) {
    const std::string_view name = sample.series.substr(0, sample.series.find('{'));
    EXPECT_FALSE(name.ends_with("_bucket")) << sample.series;
    EXPECT_FALSE(name.ends_with("system_wallclock")) << sample.series;
    EXPECT_FALSE(name.starts_with("vernemq_vm_memory")) << sample.series;
  }
}

TEST_F(CounterSamplesTest, IdentityIsTheSeriesAsSpelledWithoutItsValue) {
  const std::string page =
      "# TYPE mqtt_publish_error counter\n"
      "mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 1\n"
      "mqtt_publish_error{node=\"n\",mqtt_version=\"5\"} 1\n"
      "mqtt_publish_error{node=\"n\",mqtt_versio=\"n4\"} 1\n"
      "mqtt_publish_error{node=\"n\"} 1\n"
      "mqtt_publish_error 1\n"
      "# TYPE mqtt_publish_errors counter\n"
      "mqtt_publish_errors 1\n";
  const SelectedPage first = selector_.Select(page);
  ASSERT_THAT(first.counters, SizeIs(6));
  std::set<uint64_t> ids;
  for (const CounterSample& sample : first.counters) ids.insert(sample.id);
  EXPECT_THAT(ids, SizeIs(6));
  // Other values, another copy of the body: the same identities.
  std::string later = page;
  for (char& c : later) c = c == '1' ? '7' : c;
  const SelectedPage second = selector_.Select(later);
  ASSERT_THAT(second.counters, SizeIs(6));
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(second.counters[i].id, first.counters[i].id) << i;
    EXPECT_EQ(second.counters[i].value, 7u);
  }
}

TEST_F(CounterSamplesTest, KeepsOnlyIntegerSamplesOfCounterFamilies) {
  const std::string page =
      "# TYPE mqtt_publish_error counter\n"
      "mqtt_publish_error{node=\"n\"} 1.5\n"
      "mqtt_publish_error{node=\"n\",mqtt_version=\"5\"} NaN\n"
      "mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 7\n"
      "# TYPE queue_processes gauge\n"
      "queue_processes{node=\"n\"} 3\n"
      "untyped_thing{node=\"n\"} 3\n"
      "# TYPE system_wallclock counter\n"
      "system_wallclock{node=\"n\"} 1234\n";
  const SelectedPage selected = selector_.Select(page);
  ASSERT_THAT(selected.counters, SizeIs(1));
  EXPECT_EQ(selected.counters[0].value, 7u);
  EXPECT_EQ(selected.uptime_ms, 1234u);
}

TEST_F(CounterSamplesTest, NamesTheSeriesAsThePageSpellsItEscapesIncluded) {
  const std::string page =
      "# TYPE mqtt_publish_error counter\n"
      "mqtt_publish_error{node=\"a}\\\"b\",x=\"1\"} 1\n"
      "mqtt_publish_error{x=\"1\",node=\"a}\\\"b\"} 1\n"
      "mqtt_publish_error{x=\"2\",} 1\n"
      "mqtt_publish_error 2\n";
  const SelectedPage selected = selector_.Select(page);
  ASSERT_THAT(selected.counters, SizeIs(4));
  EXPECT_EQ(selected.counters[0].series, "mqtt_publish_error{node=\"a}\\\"b\",x=\"1\"}");
  EXPECT_EQ(selected.counters[1].series, "mqtt_publish_error{x=\"1\",node=\"a}\\\"b\"}");
  EXPECT_EQ(selected.counters[2].series, "mqtt_publish_error{x=\"2\",}");
  EXPECT_EQ(selected.counters[3].series, "mqtt_publish_error");
}

// The page sequence through the selector and the detector, as TargetRuntime does.
class RealPagesTest : public CounterSamplesTest {
 protected:
  window::ResetCheck Observe(const std::string& fixture) {
    pages_.push_back(testing::ReadFixture(fixture));
    const std::string& page = pages_.back();
    const SelectedPage selected = selector_.Select(page);
    std::vector<window::CounterReading> readings;
    for (const CounterSample& sample : selected.counters) {
      readings.push_back({sample.id, sample.value});
    }
    return detector_.Observe(selected.uptime_ms, readings, [&](size_t index) {
      return std::string(selected.counters[index].series);
    });
  }

  std::vector<std::string> pages_;
  window::ResetDetector detector_;
};

TEST_F(RealPagesTest, NormalTrafficIsNoReset) {
  EXPECT_EQ(Observe("2.1.2/00-idle.txt").verdict, window::ResetVerdict::kNone);
  EXPECT_EQ(Observe("2.1.2/01-after-normal-qos2-v4-and-v5.txt").verdict,
            window::ResetVerdict::kNone);
  EXPECT_EQ(Observe("2.1.2/02-after-v4-unexpected-pubcomp.txt").verdict,
            window::ResetVerdict::kNone);
}

TEST_F(RealPagesTest, CapturedRestartIsARestart) {
  Observe("2.1.2/06-before-restart.txt");
  const window::ResetCheck check = Observe("2.1.2/07-after-restart.txt");
  EXPECT_EQ(check.verdict, window::ResetVerdict::kRestart);
  EXPECT_THAT(check.evidence, HasSubstr("system_wallclock "));
}

TEST_F(RealPagesTest, CapturedMetricsResetIsAMetricsReset) {
  Observe("2.1.2/09-before-metrics-reset.txt");
  const window::ResetCheck check = Observe("2.1.2/10-after-vmq-admin-metrics-reset.txt");
  EXPECT_EQ(check.verdict, window::ResetVerdict::kMetricsReset);
  EXPECT_THAT(check.evidence, HasSubstr("vernemq_socket_open{node=\"VerneMQ@127.0.0.1\"} 13 -> 0"));
}

TEST_F(RealPagesTest, HiddenResetIsSeenThoughTheTrackedCounterGrew) {
  // pubcomp_invalid_error{4} went 4 -> 5 across this reset; the other counters went down.
  Observe("2.1.2/11-hidden-reset-before.txt");
  const window::ResetCheck check =
      Observe("2.1.2/12-hidden-reset-after-reset-plus-5-v4-unexpected.txt");
  EXPECT_EQ(check.verdict, window::ResetVerdict::kMetricsReset);
  EXPECT_GT(check.decreased, 1u);
  EXPECT_THAT(check.evidence, HasSubstr("more counters went down"));
}

}  // namespace
}  // namespace vmq::signals
