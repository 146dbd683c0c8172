#include "sim/events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "sim/cluster.h"
#include "sim_test_util.h"

namespace vmq::sim {
namespace {

class Events : public ::testing::Test {
 protected:
  std::uint64_t Value(const std::string& key) const { return cluster_.model(0).Value(key); }
  void Apply(const std::string& event, std::uint64_t count = 1) {
    ASSERT_TRUE(cluster_.Apply(EventRequest{"vmq-1", event, count, ""}, EventSource::kApi).applied);
  }

  FakeClock clock_;
  Cluster cluster_{testing::CapturedNodeScenario(), clock_};
};

TEST(EventCatalog, KnowsEveryEventOfTheSimulator) {
  for (const char* name : {"v4_qos2_flow",
                           "v5_qos2_flow",
                           "v4_qos1_flow",
                           "v5_qos1_flow",
                           "v4_qos0_flow",
                           "v5_qos0_flow",
                           "v4_pubcomp_unknown_id",
                           "v4_pubrec_unknown_id",
                           "v4_puback_unknown_id",
                           "v4_pubrel_unknown_id",
                           "v5_pubcomp_unknown_id",
                           "v5_pubcomp_unknown_id_rc92",
                           "v5_pubrel_unknown_id",
                           "v5_pubrel_unknown_id_rc92",
                           "v5_pubrec_unknown_id",
                           "v5_puback_unknown_id",
                           "v5_pubcomp_undeclared_reason",
                           "restart",
                           "metrics_reset",
                           "down",
                           "up"}) {
    EXPECT_NE(FindEvent(name), nullptr) << name;
  }
  EXPECT_EQ(FindEvent("v6_pubcomp"), nullptr);
}

TEST(EventCatalog, EveryEffectNamesSamplesOfTheRealPage) {
  for (const EventSpec& spec : AllEvents()) {
    EXPECT_NO_THROW(Resolve(PageTemplate::Vernemq212(), spec.effect)) << spec.name;
  }
}

TEST_F(Events, UnexpectedV5PubcompCountsReceivedInvalidAndDisconnect) {
  Apply("v5_pubcomp_unknown_id");

  EXPECT_EQ(Value("mqtt_pubcomp_received{mqtt_version=\"5\",reason_code=\"success\"}"), 1u);
  EXPECT_EQ(Value("mqtt_pubcomp_invalid_error{mqtt_version=\"5\"}"), 1u);
  EXPECT_EQ(Value("mqtt_disconnect_sent{mqtt_version=\"5\",reason_code=\"normal_disconnect\"}"),
            1u);
  EXPECT_EQ(Value("mqtt_pubcomp_invalid_error{mqtt_version=\"4\"}"), 0u);
}

TEST_F(Events, CountRepeatsTheEvent) {
  Apply("v5_pubcomp_unknown_id_rc92", 7);

  EXPECT_EQ(Value("mqtt_pubcomp_received{mqtt_version=\"5\",reason_code=\"packet_id_not_found\"}"),
            7u);
  EXPECT_EQ(Value("mqtt_pubcomp_invalid_error{mqtt_version=\"5\"}"), 7u);
  EXPECT_EQ(Value("mqtt_connect_received{mqtt_version=\"5\"}"), 7u);
}

TEST_F(Events, V5PubrelForUnknownIdIsAnsweredWithPacketIdNotFound) {
  Apply("v5_pubrel_unknown_id");

  EXPECT_EQ(Value("mqtt_pubrel_received{mqtt_version=\"5\",reason_code=\"success\"}"), 1u);
  EXPECT_EQ(Value("mqtt_pubcomp_sent{mqtt_version=\"5\",reason_code=\"packet_id_not_found\"}"), 1u);
  EXPECT_EQ(Value("mqtt_pubcomp_invalid_error{mqtt_version=\"5\"}"), 0u);
}

TEST_F(Events, UndeclaredReasonCodeMovesNoAcknowledgementCounter) {
  Apply("v5_pubcomp_undeclared_reason");

  for (const char* family : {"mqtt_pubcomp_received", "mqtt_pubcomp_sent"}) {
    for (const char* reason : {"success", "packet_id_not_found"}) {
      const std::string key =
          std::string(family) + "{mqtt_version=\"5\",reason_code=\"" + reason + "\"}";
      EXPECT_EQ(Value(key), 0u) << key;
    }
  }
  EXPECT_EQ(Value("mqtt_pubcomp_invalid_error{mqtt_version=\"5\"}"), 0u);
  EXPECT_EQ(Value("socket_open"), 1u);
  EXPECT_EQ(Value("socket_close"), 0u);
}

TEST_F(Events, NormalQos1FlowAcknowledgesBothLegs) {
  Apply("v5_qos1_flow");

  EXPECT_EQ(Value("mqtt_puback_sent{mqtt_version=\"5\",reason_code=\"success\"}"), 1u);
  EXPECT_EQ(Value("mqtt_puback_received{mqtt_version=\"5\",reason_code=\"success\"}"), 1u);
  EXPECT_EQ(Value("mqtt_puback_invalid_error{mqtt_version=\"5\"}"), 0u);
}

TEST_F(Events, MetricsResetZeroesCountersButNotTheUptime) {
  clock_.Advance(Millis(5'000));
  Apply("v4_pubcomp_unknown_id", 3);
  Apply("metrics_reset");

  EXPECT_EQ(Value("mqtt_pubcomp_invalid_error{mqtt_version=\"4\"}"), 0u);
  EXPECT_EQ(Value("socket_open"), 0u);
  EXPECT_EQ(Value("system_wallclock"), 5'000u);
}

TEST_F(Events, RestartZeroesCountersAndUptime) {
  clock_.Advance(Millis(5'000));
  Apply("v4_pubcomp_unknown_id", 3);
  Apply("restart");

  EXPECT_EQ(Value("mqtt_pubcomp_invalid_error{mqtt_version=\"4\"}"), 0u);
  EXPECT_EQ(Value("system_wallclock"), 0u);
}

}  // namespace
}  // namespace vmq::sim
