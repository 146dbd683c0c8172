#include "sim/cluster.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "sim_test_util.h"

namespace vmq::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

Scenario TwoNodes() {
  Scenario scenario = testing::CapturedNodeScenario();
  NodeSpec second;
  second.name = "vmq-2";
  scenario.nodes.push_back(second);
  return scenario;
}

std::int64_t MillisSinceEpoch(MonoTime t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

TEST(Cluster, LogsEveryAppliedEventInOrderWithItsTimes) {
  FakeClock clock;
  Cluster cluster(TwoNodes(), clock);
  cluster.Apply(EventRequest{"vmq-2", "v5_pubcomp_unknown_id", 7, ""}, EventSource::kApi);
  clock.Advance(Millis(1'500));
  cluster.Apply(EventRequest{"vmq-1", "down", 1, "hang"}, EventSource::kApi);

  const std::vector<AppliedEvent> events = cluster.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].seq, 1u);
  EXPECT_EQ(events[0].node, "vmq-2");
  EXPECT_EQ(events[0].event, "v5_pubcomp_unknown_id");
  EXPECT_EQ(events[0].count, 7u);
  EXPECT_EQ(events[0].mono_ms, MillisSinceEpoch(clock.Now()) - 1'500);
  EXPECT_EQ(events[1].seq, 2u);
  EXPECT_EQ(events[1].mode, "hang");
  EXPECT_EQ(events[1].mono_ms, MillisSinceEpoch(clock.Now()));
  EXPECT_EQ(cluster.Events(1).size(), 1u);
}

TEST(Cluster, RejectsUnknownNodeWith404) {
  FakeClock clock;
  Cluster cluster(TwoNodes(), clock);
  ApplyOutcome outcome =
      cluster.Apply(EventRequest{"vmq-9", "v5_pubcomp_unknown_id", 1, ""}, EventSource::kApi);

  EXPECT_FALSE(outcome.applied);
  EXPECT_EQ(outcome.status, 404);
  EXPECT_TRUE(cluster.Events().empty());
}

TEST(Cluster, RejectsUnknownEventBadCountAndMisplacedModeWith400) {
  FakeClock clock;
  Cluster cluster(TwoNodes(), clock);
  for (const EventRequest& request : {EventRequest{"vmq-1", "v6_pubcomp", 1, ""},
                                      EventRequest{"vmq-1", "v5_pubcomp_unknown_id", 0, ""},
                                      EventRequest{"vmq-1", "v5_pubcomp_unknown_id", 1, "hang"},
                                      EventRequest{"vmq-1", "down", 1, "sideways"}}) {
    EXPECT_EQ(cluster.Apply(request, EventSource::kApi).status, 400) << request.event;
  }
  EXPECT_TRUE(cluster.Events().empty());
}

TEST(Cluster, DownAndUpTellTheListenerInOrder) {
  FakeClock clock;
  Cluster cluster(TwoNodes(), clock);
  std::vector<std::pair<std::size_t, ServeMode>> told;
  cluster.SetModeListener([&](std::size_t node, ServeMode mode) { told.emplace_back(node, mode); });
  cluster.Apply(EventRequest{"vmq-2", "down", 1, ""}, EventSource::kApi);
  cluster.Apply(EventRequest{"vmq-2", "up", 1, ""}, EventSource::kApi);

  EXPECT_THAT(told, ElementsAre(Pair(1u, ServeMode::kRefuse), Pair(1u, ServeMode::kUp)));
  EXPECT_EQ(cluster.mode(1), ServeMode::kUp);
}

TEST(Cluster, TimelineAppliesEntriesWhenDue) {
  Scenario scenario = TwoNodes();
  scenario.timeline = {TimelineEntry{Millis(10'000), "vmq-2", "v5_pubcomp_unknown_id", 7, ""},
                       TimelineEntry{Millis(30'000), "vmq-1", "restart", 1, ""}};
  FakeClock clock;
  Cluster cluster(scenario, clock);
  const MonoTime begin = clock.Now();
  cluster.Begin(begin);

  EXPECT_EQ(cluster.RunDueTimeline(begin + Millis(9'999)), begin + Millis(10'000));
  EXPECT_TRUE(cluster.Events().empty());
  EXPECT_EQ(cluster.RunDueTimeline(begin + Millis(10'000)), begin + Millis(30'000));
  EXPECT_EQ(cluster.RunDueTimeline(begin + Millis(60'000)), std::nullopt);

  const std::vector<AppliedEvent> events = cluster.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].source, "timeline");
  EXPECT_EQ(events[1].event, "restart");
  EXPECT_EQ(cluster.model(1).Value("mqtt_pubcomp_invalid_error{mqtt_version=\"5\"}"), 7u);
}

TEST(Cluster, BackgroundTrafficFollowsItsRatesExactly) {
  Scenario scenario = testing::CapturedNodeScenario();
  scenario.nodes[0].background = BackgroundRates{0, 0, 2};
  FakeClock clock;
  Cluster cluster(scenario, clock);
  cluster.Begin(clock.Now());
  clock.Advance(Millis(10'250));
  cluster.AdvanceBackground(clock.Now());

  const NodeModel& model = cluster.model(0);
  EXPECT_EQ(model.Value("mqtt_pubcomp_received{mqtt_version=\"4\"}"), 10u);
  EXPECT_EQ(model.Value("mqtt_pubcomp_received{mqtt_version=\"5\",reason_code=\"success\"}"), 10u);
  EXPECT_EQ(model.Value("mqtt_publish_received{mqtt_version=\"4\"}"), 10u);
  EXPECT_TRUE(cluster.Events().empty());
}

TEST(Cluster, BackgroundTrafficNeverMovesInvalidErrorCounters) {
  Scenario scenario = testing::CapturedNodeScenario();
  scenario.nodes[0].background = BackgroundRates{3, 7, 11};
  FakeClock clock;
  Cluster cluster(scenario, clock);
  cluster.Begin(clock.Now());
  for (int second = 0; second < 30; ++second) {
    clock.Advance(Millis(1'000));
    cluster.AdvanceBackground(clock.Now());
  }

  const NodeModel& model = cluster.model(0);
  ASSERT_EQ(model.Value("queue_message_in"), 30u * (3 + 7 + 11));
  for (const char* key : {"mqtt_puback_invalid_error{mqtt_version=\"4\"}",
                          "mqtt_puback_invalid_error{mqtt_version=\"5\"}",
                          "mqtt_pubrec_invalid_error{mqtt_version=\"4\"}",
                          "mqtt_pubcomp_invalid_error{mqtt_version=\"4\"}",
                          "mqtt_pubcomp_invalid_error{mqtt_version=\"5\"}"}) {
    EXPECT_EQ(model.Value(key), 0u) << key;
  }
}

}  // namespace
}  // namespace vmq::sim
