// The test copy of alertmanager.yml changes timings and receiver URLs and nothing else, so
// that what the integration test sees is the committed routing and inhibition.

#include "integration/alertmanager_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <string>

#include "common/fixtures.h"

namespace vmq::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUrl[] = "http://127.0.0.1:1/sink";

constexpr char kConfig[] = R"(route:
  receiver: ops
  group_wait: 30s
  routes:
    - matchers: ['component="VerneMQ"']
      receiver: sysadmin
      group_interval: 5m
    - matchers: ['team="x"']
      receiver: ops
receivers:
  - name: ops
  - name: sysadmin
    webhook_configs:
      - url: http://alerts.example.com/hook
        send_resolved: true
      - url: http://backup.example.com/hook
inhibit_rules:
  - source_matchers: [alertname="VerneMQTargetDown"]
    target_matchers: ['alertname=~"VerneMQPubcomp.*"']
    equal: [target]
)";

TEST(TestAlertmanagerConfig, ShortensTimingsOnTheRootAndOnRoutesThatSetThem) {
  const YAML::Node copy = YAML::Load(TestAlertmanagerConfig(kConfig, kUrl));
  EXPECT_EQ(copy["route"]["group_wait"].as<std::string>(), "1s");
  EXPECT_EQ(copy["route"]["group_interval"].as<std::string>(), "1s");
  EXPECT_EQ(copy["route"]["routes"][0]["group_interval"].as<std::string>(), "1s");
  // A route that inherits its timings keeps inheriting them.
  EXPECT_FALSE(copy["route"]["routes"][1]["group_wait"]);
}

TEST(TestAlertmanagerConfig, PointsEveryReceiverUrlAtTheSink) {
  const std::string copy = TestAlertmanagerConfig(kConfig, kUrl);
  EXPECT_THAT(copy, Not(HasSubstr("example.com")));
  const YAML::Node hooks = YAML::Load(copy)["receivers"][1]["webhook_configs"];
  EXPECT_EQ(hooks[0]["url"].as<std::string>(), kUrl);
  EXPECT_EQ(hooks[1]["url"].as<std::string>(), kUrl);
  EXPECT_TRUE(hooks[0]["send_resolved"].as<bool>());
}

TEST(TestAlertmanagerConfig, RefusesAConfigWhoseNotificationsItCouldNotSee) {
  EXPECT_THROW(TestAlertmanagerConfig("route: {receiver: a}\nreceivers: [{name: a}]\n", kUrl),
               std::runtime_error);
}

TEST(TestAlertmanagerConfig, CopyOfTheCommittedFileDiffersOnlyInTimingsAndUrls) {
  std::string committed;
  ASSERT_TRUE(ReadFile(std::string(VMQ_SOURCE_DIR) + "/alerts/alertmanager.yml", &committed));
  const std::string copy = TestAlertmanagerConfig(committed, kUrl);
  EXPECT_EQ(WithoutTimingsAndUrls(copy), WithoutTimingsAndUrls(committed));
  EXPECT_NE(copy, committed);
}

}  // namespace
}  // namespace vmq::testing
