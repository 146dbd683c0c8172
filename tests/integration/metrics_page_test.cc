#include "integration/metrics_page.h"

#include <gtest/gtest.h>

namespace vmq::testing {
namespace {

constexpr char kPage[] =
    "# HELP vmq_alert_state x\n"
    "vmq_alert_state{alert=\"A\",target=\"t\",node=\"n1\",mqtt_version=\"5\"} 1\n"
    "vmq_alert_state{alert=\"A\",target=\"t\",node=\"n1\",mqtt_version=\"4\"} 0\n"
    "vmq_alert_statex{alert=\"A\"} 7\n"
    "vmq_info{page_node=\"n2\"} 3\n";

TEST(FindSample, MatchesLabelsInAnyOrder) {
  EXPECT_EQ(FindSample(kPage, "vmq_alert_state", {{"mqtt_version", "4"}, {"alert", "A"}}), 0.0);
  EXPECT_EQ(FindSample(kPage, "vmq_alert_state", {{"mqtt_version", "5"}}), 1.0);
}

TEST(FindSample, DoesNotMatchAnotherMetricOrALabelNameEndingTheSame) {
  EXPECT_FALSE(FindSample(kPage, "vmq_alert_state", {{"alert", "B"}}).has_value());
  EXPECT_FALSE(FindSample(kPage, "vmq_info", {{"node", "n2"}}).has_value());
  EXPECT_EQ(FindSample(kPage, "vmq_alert_statex", {}), 7.0);
}

}  // namespace
}  // namespace vmq::testing
