// Holding a node's page (hold/release) and `vmq-admin metrics reset` against the real
// VerneMQ 2.1.2 pages captured around one (tests/fixtures/2.1.2/09-12).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/fixtures.h"
#include "page_lines.h"
#include "sim/cluster.h"
#include "sim/scenario.h"
#include "sim_test_util.h"

namespace vmq::sim {
namespace {

using testing::FamiliesOfType;
using testing::Lines;
using testing::MetricName;
using testing::SeriesOf;
using testing::Values;
using ::vmq::testing::ReadFixture;

constexpr char kInvalidV4[] = "mqtt_pubcomp_invalid_error{mqtt_version=\"4\"}";
constexpr char kInvalidV4Series[] =
    "vernemq_mqtt_pubcomp_invalid_error{node=\"VerneMQ@127.0.0.1\",mqtt_version=\"4\"}";

std::string Fixture(const std::string& page) { return ReadFixture("2.1.2/" + page); }

// Every event of the captures 01-06: a node that has seen all kinds of traffic.
const std::vector<std::string>& BusyNodeEvents() {
  static const std::vector<std::string> kEvents = {
      "v4_qos2_flow",          "v5_qos2_flow",
      "v4_pubcomp_unknown_id", "v4_puback_unknown_id",
      "v4_pubrec_unknown_id",  "v4_pubrel_unknown_id",
      "v5_pubcomp_unknown_id", "v5_pubcomp_unknown_id_rc92",
      "v5_puback_unknown_id",  "v5_pubrec_unknown_id",
      "v5_pubrel_unknown_id",  "v5_pubrel_unknown_id_rc92"};
  return kEvents;
}

// Series -> value of the counters of a page, split by whether VerneMQ or the Erlang VM
// (system_*) keeps them.
std::map<std::string, std::string> Counters(const std::string& page, bool system) {
  const std::set<std::string> counters = FamiliesOfType(page, "counter");
  std::map<std::string, std::string> out;
  for (const auto& [series, value] : Values(page)) {
    const std::string name = MetricName(series);
    if (counters.count(name) && name.starts_with("vernemq_system_") == system) {
      out[series] = value;
    }
  }
  return out;
}

// The sample lines of the histogram families.
std::vector<std::string> HistogramLines(const std::string& page) {
  const std::set<std::string> histograms = FamiliesOfType(page, "histogram");
  std::vector<std::string> out;
  for (const std::string& line : Lines(page)) {
    if (line.starts_with("#")) continue;
    const std::string name = MetricName(SeriesOf(line));
    for (const std::string& family : histograms) {
      if (name.starts_with(family + "_")) out.push_back(line);
    }
  }
  return out;
}

std::set<std::string> Keys(const std::map<std::string, std::string>& map) {
  std::set<std::string> out;
  for (const auto& [key, value] : map) out.insert(key);
  return out;
}

class HoldAndResetTest : public ::testing::Test {
 protected:
  void Apply(const std::string& event, std::uint64_t count = 1) {
    const ApplyOutcome outcome =
        cluster_.Apply(EventRequest{"vmq-1", event, count, ""}, EventSource::kApi);
    ASSERT_TRUE(outcome.applied) << event << ": " << outcome.error;
  }

  FakeClock clock_;
  Cluster cluster_{testing::CapturedNodeScenario(), clock_};
};

TEST_F(HoldAndResetTest, MetricsResetZeroesTheSameCountersAsTheRealBroker) {
  testing::ApplyAll(cluster_, BusyNodeEvents());
  clock_.Advance(Millis(84'203));
  Apply("metrics_reset");
  const std::string simulated = cluster_.Render(0);
  const std::string real = Fixture("10-after-vmq-admin-metrics-reset.txt");

  const auto real_broker = Counters(real, false);
  const auto simulated_broker = Counters(simulated, false);
  ASSERT_GT(real_broker.size(), 150u);
  EXPECT_EQ(Keys(simulated_broker), Keys(real_broker));
  for (const auto& [series, value] : real_broker) {
    EXPECT_EQ(value, "0") << series;
    EXPECT_EQ(simulated_broker.at(series), "0") << series;
  }
  // The VM's counters and the uptime go on: none of them is 0 on either page.
  const auto real_system = Counters(real, true);
  ASSERT_GT(real_system.size(), 5u);
  EXPECT_EQ(Keys(Counters(simulated, true)), Keys(real_system));
  for (const auto& [series, value] : Counters(simulated, true)) {
    EXPECT_NE(value, "0") << series;
    EXPECT_NE(real_system.at(series), "0") << series;
  }
  EXPECT_EQ(cluster_.model(0).Value("system_wallclock"), 84'203u);
}

TEST_F(HoldAndResetTest, MetricsResetKeepsHistogramsAsTheRealBrokerDid) {
  EXPECT_EQ(HistogramLines(Fixture("10-after-vmq-admin-metrics-reset.txt")),
            HistogramLines(Fixture("09-before-metrics-reset.txt")));
  testing::ApplyAll(cluster_, BusyNodeEvents());
  const std::vector<std::string> before = HistogramLines(cluster_.Render(0));
  ASSERT_FALSE(before.empty());
  Apply("metrics_reset");
  EXPECT_EQ(HistogramLines(cluster_.Render(0)), before);
}

TEST_F(HoldAndResetTest, ResetThenFiveUnexpectedPubcompsGiveTheCapturedCounters) {
  // Capture 12: a reset, then within ~20 ms 5 MQTT 3.1.1 unexpected PUBCOMPs. Whatever the
  // node held before, every broker counter then has exactly the value the real one had.
  testing::ApplyAll(cluster_, BusyNodeEvents());
  Apply("metrics_reset");
  Apply("v4_pubcomp_unknown_id", 5);
  const auto real =
      Counters(Fixture("12-hidden-reset-after-reset-plus-5-v4-unexpected.txt"), false);
  const auto simulated = Counters(cluster_.Render(0), false);
  ASSERT_EQ(Keys(simulated), Keys(real));
  for (const auto& [series, value] : real) {
    // The client of capture 12 sent 47 bytes per connection where the one of capture 02 (the
    // simulator's model) sent 31: bytes depend on the client id, not on the broker.
    if (series.starts_with("vernemq_bytes_received")) continue;
    EXPECT_EQ(simulated.at(series), value) << series;
  }
  EXPECT_EQ(real.at(kInvalidV4Series), "5");
}

TEST_F(HoldAndResetTest, HeldNodeServesThePageAsItWasWhileCountersMove) {
  Apply("v4_pubcomp_unknown_id", 3);
  clock_.Advance(Millis(2'000));
  const std::string at_hold = cluster_.Render(0);
  Apply("hold");
  EXPECT_TRUE(cluster_.held(0));
  clock_.Advance(Millis(3'000));
  Apply("metrics_reset");
  Apply("v4_pubcomp_unknown_id", 5);

  EXPECT_EQ(cluster_.Render(0), at_hold);  // uptime included
  EXPECT_EQ(cluster_.model(0).Value(kInvalidV4), 5u);
  EXPECT_EQ(Values(at_hold).at(kInvalidV4Series), "3");
}

TEST_F(HoldAndResetTest, ReleaseServesTheLivePageAgain) {
  Apply("v4_pubcomp_unknown_id", 3);
  Apply("hold");
  Apply("metrics_reset");
  Apply("v4_pubcomp_unknown_id", 5);
  clock_.Advance(Millis(1'234));
  Apply("release");

  EXPECT_FALSE(cluster_.held(0));
  const auto values = Values(cluster_.Render(0));
  EXPECT_EQ(values.at(kInvalidV4Series), "5");
  EXPECT_EQ(values.at("vernemq_system_wallclock{node=\"VerneMQ@127.0.0.1\"}"), "1234");
}

TEST_F(HoldAndResetTest, HoldAgainTakesANewPictureAndReleaseWithoutHoldChangesNothing) {
  Apply("release");
  EXPECT_FALSE(cluster_.held(0));
  Apply("hold");
  Apply("v4_pubcomp_unknown_id", 2);
  Apply("hold");
  EXPECT_EQ(Values(cluster_.Render(0)).at(kInvalidV4Series), "2");
}

TEST_F(HoldAndResetTest, HoldAndReleaseAreLoggedAndTakeNoMode) {
  Apply("hold");
  Apply("release");
  const std::vector<AppliedEvent> events = cluster_.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "hold");
  EXPECT_EQ(events[1].event, "release");
  EXPECT_EQ(cluster_.Apply(EventRequest{"vmq-1", "hold", 1, "hang"}, EventSource::kApi).status,
            400);
}

TEST(HoldTimeline, HoldAndReleaseAreScenarioSteps) {
  const Scenario scenario = ParseScenario(
      "nodes:\n  - name: vmq-1\n"
      "timeline:\n"
      "  - {at: 1s, node: vmq-1, event: hold}\n"
      "  - {at: 2s, node: vmq-1, event: metrics_reset}\n"
      "  - {at: 2s, node: vmq-1, event: v4_pubcomp_unknown_id, count: 5}\n"
      "  - {at: 3s, node: vmq-1, event: release}\n",
      "s.yaml");
  FakeClock clock;
  Cluster cluster(scenario, clock);
  const MonoTime begin = clock.Now();
  cluster.Begin(begin);
  cluster.RunDueTimeline(begin + Millis(1'000));
  const std::string at_hold = cluster.Render(0);
  cluster.RunDueTimeline(begin + Millis(2'000));
  EXPECT_TRUE(cluster.held(0));
  EXPECT_EQ(cluster.Render(0), at_hold);
  cluster.RunDueTimeline(begin + Millis(3'000));
  EXPECT_FALSE(cluster.held(0));
  EXPECT_EQ(cluster.model(0).Value(kInvalidV4), 5u);
}

}  // namespace
}  // namespace vmq::sim
