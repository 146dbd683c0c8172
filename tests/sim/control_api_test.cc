// The simulator over real loopback HTTP: control API, node pages and every down mode.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <regex>
#include <string>

#include "common/clock.h"
#include "sim/simulator.h"

namespace vmq::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Scenario TwoNodeScenario() {
  Scenario scenario;
  for (const char* name : {"vmq-1", "vmq-2"}) {
    NodeSpec node;
    node.name = name;
    scenario.nodes.push_back(node);
  }
  scenario.nodes[1].style.node_label = "VerneMQ@127.0.0.2";
  return scenario;
}

std::int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t JsonInteger(const std::string& json, const std::string& key) {
  std::smatch match;
  const std::regex pattern("\"" + key + "\":(-?[0-9]+)");
  if (!std::regex_search(json, match, pattern)) return -1;
  return std::stoll(match[1]);
}

class SimulatorOverHttp : public ::testing::Test {
 protected:
  void SetUp() override { simulator_.Start(); }

  httplib::Client Control() const {
    httplib::Client client("127.0.0.1", simulator_.control_port());
    client.set_read_timeout(5, 0);
    return client;
  }
  httplib::Client Node(std::size_t node) const {
    httplib::Client client("127.0.0.1", simulator_.node_port(node));
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(2, 0);
    return client;
  }
  httplib::Result PostEvent(const std::string& node, const std::string& query) {
    return Control().Post("/nodes/" + node + "/events?" + query);
  }
  void Down(const std::string& mode) {
    auto result = PostEvent("vmq-1", "event=down&mode=" + mode);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }

  SystemClock clock_;
  Simulator simulator_{TwoNodeScenario(), clock_};
};

TEST_F(SimulatorOverHttp, NodeServesItsPageOnMetrics) {
  auto result = Node(1).Get("/metrics");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_THAT(result->body, StartsWith("# HELP vernemq_socket_open "));
  EXPECT_THAT(result->body, HasSubstr("vernemq_socket_open{node=\"VerneMQ@127.0.0.2\"} 0\n"));
  EXPECT_THAT(result->get_header_value("Content-Type"), StartsWith("text/plain"));
}

TEST_F(SimulatorOverHttp, PostedEventMovesTheNodesCounters) {
  auto posted = PostEvent("vmq-2", "event=v5_pubcomp_unknown_id&count=7");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;
  EXPECT_EQ(JsonInteger(posted->body, "seq"), 1);

  auto page = Node(1).Get("/metrics");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("vernemq_mqtt_pubcomp_invalid_error{node=\"VerneMQ@127.0.0.2\","
                                    "mqtt_version=\"5\"} 7\n"));
}

TEST_F(SimulatorOverHttp, EventsListsAppliedEventsWithMonotonicTimes) {
  const std::int64_t before = SteadyMillis();
  ASSERT_TRUE(PostEvent("vmq-2", "event=v5_pubcomp_unknown_id&count=7"));
  ASSERT_TRUE(PostEvent("vmq-1", "event=restart"));
  const std::int64_t after = SteadyMillis();

  auto events = Control().Get("/events");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->status, 200);
  EXPECT_THAT(events->body,
              HasSubstr(R"([{"seq":1,"node":"vmq-2","event":"v5_pubcomp_unknown_id","count":7,)"));
  EXPECT_THAT(events->body, HasSubstr(R"({"seq":2,"node":"vmq-1","event":"restart","count":1,)"));
  const std::int64_t mono_ms = JsonInteger(events->body, "mono_ms");
  EXPECT_GE(mono_ms, before);
  EXPECT_LE(mono_ms, after);
  EXPECT_GT(JsonInteger(events->body, "unix_ms"), 1'600'000'000'000);
}

TEST_F(SimulatorOverHttp, UnknownNodeIs404WithAJsonError) {
  auto result = PostEvent("vmq-9", "event=v5_pubcomp_unknown_id");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_THAT(result->body, StartsWith(R"({"error":)"));
}

TEST_F(SimulatorOverHttp, UnknownEventIs400WithAJsonError) {
  auto result = PostEvent("vmq-1", "event=v6_pubcomp");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
  EXPECT_THAT(result->body, HasSubstr("unknown event"));
}

TEST_F(SimulatorOverHttp, NodesListsPortsAndStates) {
  Down("http_500");
  auto result = Control().Get("/nodes");

  ASSERT_TRUE(result);
  EXPECT_THAT(result->body,
              HasSubstr(R"({"name":"vmq-1","port":)" + std::to_string(simulator_.node_port(0)) +
                        R"(,"state":"down:http_500","layout":"2.x")"));
  EXPECT_THAT(result->body, HasSubstr(R"("name":"vmq-2")"));
}

TEST_F(SimulatorOverHttp, HeldNodeServesTheHeldPageUntilReleased) {
  ASSERT_TRUE(PostEvent("vmq-1", "event=v4_pubcomp_unknown_id&count=3"));
  auto held = PostEvent("vmq-1", "event=hold");
  ASSERT_TRUE(held);
  ASSERT_EQ(held->status, 200) << held->body;
  auto at_hold = Node(0).Get("/metrics");
  ASSERT_TRUE(at_hold);
  ASSERT_TRUE(PostEvent("vmq-1", "event=metrics_reset"));
  ASSERT_TRUE(PostEvent("vmq-1", "event=v4_pubcomp_unknown_id&count=5"));
  const std::string v4 =
      "vernemq_mqtt_pubcomp_invalid_error{node=\"VerneMQ@127.0.0.1\",mqtt_version=\"4\"} ";

  auto while_held = Node(0).Get("/metrics");
  ASSERT_TRUE(while_held);
  EXPECT_EQ(while_held->body, at_hold->body);
  EXPECT_THAT(while_held->body, HasSubstr(v4 + "3\n"));
  auto nodes = Control().Get("/nodes");
  ASSERT_TRUE(nodes);
  EXPECT_THAT(nodes->body, HasSubstr(R"("node_label":"VerneMQ@127.0.0.1","held":true})"));

  ASSERT_TRUE(PostEvent("vmq-1", "event=release"));
  auto released = Node(0).Get("/metrics");
  ASSERT_TRUE(released);
  EXPECT_THAT(released->body, HasSubstr(v4 + "5\n"));
}

TEST_F(SimulatorOverHttp, RefuseClosesThePortAndUpReopensTheSamePort) {
  const int port = simulator_.node_port(0);
  Down("refuse");

  auto refused = Node(0).Get("/metrics");
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.error(), httplib::Error::Connection);

  ASSERT_TRUE(PostEvent("vmq-1", "event=up"));
  EXPECT_EQ(simulator_.node_port(0), port);
  auto served = Node(0).Get("/metrics");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

TEST_F(SimulatorOverHttp, HangAcceptsButNeverAnswers) {
  Down("hang");
  httplib::Client client = Node(0);
  client.set_read_timeout(0, 300'000);

  auto result = client.Get("/metrics");
  EXPECT_FALSE(result);
  EXPECT_EQ(result.error(), httplib::Error::Read);

  ASSERT_TRUE(PostEvent("vmq-1", "event=up"));
  auto served = Node(0).Get("/metrics");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

TEST_F(SimulatorOverHttp, Http500AnswersServerError) {
  Down("http_500");
  auto result = Node(0).Get("/metrics");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 500);
}

TEST_F(SimulatorOverHttp, TruncatedAnswersTheStartOfThePageCutMidLine) {
  const std::string page = simulator_.cluster().Render(0);
  Down("truncated");
  auto result = Node(0).Get("/metrics");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  ASSERT_LT(result->body.size(), page.size());
  EXPECT_EQ(page.substr(0, result->body.size()), result->body);
  EXPECT_NE(result->body.back(), '\n');
}

TEST_F(SimulatorOverHttp, GarbageAnswersNoise) {
  Down("garbage");
  auto result = Node(0).Get("/metrics");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body.size(), 4096u);
  EXPECT_THAT(result->body, ::testing::Not(StartsWith("# HELP")));
}

TEST_F(SimulatorOverHttp, OtherNodesKeepServingWhileOneIsDown) {
  Down("refuse");
  auto result = Node(1).Get("/metrics");

  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
}

TEST_F(SimulatorOverHttp, PortsJsonNamesTheBoundPorts) {
  EXPECT_EQ(simulator_.PortsJson(),
            "{\"control\": " + std::to_string(simulator_.control_port()) +
                ", \"nodes\": {\"vmq-1\": " + std::to_string(simulator_.node_port(0)) +
                ", \"vmq-2\": " + std::to_string(simulator_.node_port(1)) + "}}");
}

}  // namespace
}  // namespace vmq::sim
