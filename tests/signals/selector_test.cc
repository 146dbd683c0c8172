#include "signals/selector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/fixtures.h"
#include "config/config.h"

namespace vmq::signals {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::SizeIs;

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

const RawSeries* Find(const SelectedPage& page, const std::string& key) {
  for (const auto& series : page.series) {
    if (series.key == key) return &series;
  }
  return nullptr;
}

class SelectorTest : public ::testing::Test {
 protected:
  Selector selector_{config::DefaultSignals()};
};

TEST_F(SelectorTest, KeepsOnlyPubcompSeriesOfRealPage) {
  const SelectedPage page = selector_.Select(testing::ReadFixture("vernemq-2.0.1.metrics.txt"));
  EXPECT_TRUE(page.is_vernemq);
  EXPECT_EQ(page.prefix, "vernemq_");
  EXPECT_EQ(page.node, "VerneMQ@10.10.10.20");
  EXPECT_EQ(page.uptime_ms, 51082602u);
  EXPECT_EQ(page.parse.bad_lines, 0u);
  // invalid_error v4+v5, received v4 + v5x2 reasons, sent v4 + v5x2 reasons.
  EXPECT_THAT(page.series, SizeIs(8));
  EXPECT_NE(Find(page,
                 "mqtt_pubcomp_received{mqtt_version=\"5\",node=\"VerneMQ@10.10.10.20\","
                 "reason_code=\"packet_id_not_found\"}"),
            nullptr);
  EXPECT_NE(
      Find(page, "mqtt_pubcomp_invalid_error{mqtt_version=\"4\",node=\"VerneMQ@10.10.10.20\"}"),
      nullptr);
}

TEST_F(SelectorTest, ReadsCountsFromCapturedMisbehaviour) {
  const SelectedPage page =
      selector_.Select(testing::ReadFixture("2.1.2/04-after-v5-unexpected-pubcomp-rc92.txt"));
  const RawSeries* v5 =
      Find(page, "mqtt_pubcomp_invalid_error{mqtt_version=\"5\",node=\"VerneMQ@127.0.0.1\"}");
  ASSERT_NE(v5, nullptr);
  EXPECT_EQ(v5->value, 2u);
  const RawSeries* rc92 =
      Find(page,
           "mqtt_pubcomp_received{mqtt_version=\"5\",node=\"VerneMQ@127.0.0.1\","
           "reason_code=\"packet_id_not_found\"}");
  ASSERT_NE(rc92, nullptr);
  EXPECT_EQ(rc92->value, 1u);
}

TEST_F(SelectorTest, DetectsNoPrefixOnOneXPageWithoutFinalNewline) {
  std::string page = ReplaceAll(testing::ReadFixture("vernemq-2.0.1.metrics.txt"), "vernemq_", "");
  while (!page.empty() && page.back() == '\n') page.pop_back();
  const SelectedPage selected = selector_.Select(page);
  EXPECT_TRUE(selected.is_vernemq);
  EXPECT_EQ(selected.prefix, "");
  EXPECT_THAT(selected.series, SizeIs(8));
}

TEST_F(SelectorTest, DetectsCustomNamespace) {
  const std::string page =
      ReplaceAll(testing::ReadFixture("vernemq-2.0.1.metrics.txt"), "vernemq_", "broker_a_");
  const SelectedPage selected = selector_.Select(page);
  EXPECT_EQ(selected.prefix, "broker_a_");
  EXPECT_THAT(selected.series, SizeIs(8));
  EXPECT_THAT(selected.series, Contains(Field(&RawSeries::source, "mqtt_pubcomp_invalid_error")));
}

TEST_F(SelectorTest, ReportsForeignPageAsNotVernemq) {
  const SelectedPage page = selector_.Select(testing::ReadFixture("not-vernemq.metrics.txt"));
  EXPECT_FALSE(page.is_vernemq);
  EXPECT_THAT(page.series, SizeIs(0));
}

TEST_F(SelectorTest, IgnoresLookalikeSeriesOfAnotherNamespace) {
  const std::string page =
      "vernemq_mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
      "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 3\n"
      "other_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 99\n";
  const SelectedPage selected = selector_.Select(page);
  ASSERT_THAT(selected.series, SizeIs(1));
  EXPECT_EQ(selected.series[0].value, 3u);
}

TEST_F(SelectorTest, RejectsValuesThatAreNotCounterValues) {
  const std::string page =
      "mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} -1\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"5\"} NaN\n"
      "mqtt_pubcomp_received{node=\"n\",mqtt_version=\"4\"} 1.5\n"
      "mqtt_pubcomp_sent{node=\"n\",mqtt_version=\"4\"} +Inf\n"
      "mqtt_pubcomp_sent{node=\"n\",mqtt_version=\"5\",reason_code=\"success\"} 7\n";
  const SelectedPage selected = selector_.Select(page);
  EXPECT_EQ(selected.rejected_values, 4u);
  ASSERT_THAT(selected.series, SizeIs(1));
  EXPECT_EQ(selected.series[0].value, 7u);
}

TEST_F(SelectorTest, SurvivesMalformedLinesAroundWantedSeries) {
  const std::string page =
      "mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\" 3\n"
      "garbage garbage garbage\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"5\"} 4\n";
  const SelectedPage selected = selector_.Select(page);
  EXPECT_EQ(selected.parse.bad_lines, 2u);
  ASSERT_THAT(selected.series, SizeIs(1));
  EXPECT_EQ(selected.series[0].value, 4u);
}

TEST_F(SelectorTest, UsesNoValueOfASeriesThatAppearsTwice) {
  const std::string page =
      "mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"5\",reason_code=\"x\"} 1\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"5\",reason_code=\"y\"} 2\n"
      "mqtt_pubcomp_invalid_error{reason_code=\"x\",mqtt_version=\"5\",node=\"n\"} 3\n";
  const SelectedPage selected = selector_.Select(page);
  EXPECT_EQ(selected.duplicate_series, 1u);
  EXPECT_EQ(selected.first_duplicate,
            "mqtt_pubcomp_invalid_error{mqtt_version=\"5\",node=\"n\",reason_code=\"x\"}");
  ASSERT_THAT(selected.series, SizeIs(1));
  EXPECT_EQ(selected.series[0].value, 2u);
}

TEST_F(SelectorTest, CountsASeriesSeenThreeTimesAsOneDuplicate) {
  const std::string line = "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 1\n";
  const SelectedPage selected =
      selector_.Select("mqtt_publish_error{node=\"n\"} 0\n" + line + line + line);
  EXPECT_EQ(selected.duplicate_series, 1u);
  EXPECT_THAT(selected.series, SizeIs(0));
}

TEST_F(SelectorTest, TreatsADuplicateWithARejectedValueAsADuplicate) {
  const SelectedPage selected = selector_.Select(
      "mqtt_publish_error{node=\"n\"} 0\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} NaN\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 5\n");
  EXPECT_EQ(selected.duplicate_series, 1u);
  EXPECT_THAT(selected.series, SizeIs(0));
}

TEST_F(SelectorTest, LeavesUptimeUnknownWhenTheWallclockAppearsTwice) {
  const SelectedPage selected = selector_.Select(
      "mqtt_publish_error{node=\"n\"} 0\n"
      "system_wallclock{node=\"n\"} 5000\n"
      "system_wallclock{node=\"other\"} 10\n");
  EXPECT_EQ(selected.uptime_ms, std::nullopt);
  EXPECT_EQ(selected.duplicate_series, 1u);
}

TEST_F(SelectorTest, GivesLabelValuesThatOnlyAnEscapeTellsApartDifferentKeys) {
  // `x\ny` (a newline) and `xny`, `a\"` and `a"`: four series, four keys.
  const SelectedPage selected = selector_.Select(
      "mqtt_publish_error{node=\"n\"} 0\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",reason_code=\"x\\ny\"} 1\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",reason_code=\"xny\"} 2\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",reason_code=\"a\\\\\"} 3\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",reason_code=\"a\\\\\\\\\"} 4\n");
  EXPECT_EQ(selected.duplicate_series, 0u);
  ASSERT_THAT(selected.series, SizeIs(4));
  EXPECT_NE(Find(selected, "mqtt_pubcomp_invalid_error{node=\"n\",reason_code=\"x\\ny\"}"),
            nullptr);
  EXPECT_NE(Find(selected, "mqtt_pubcomp_invalid_error{node=\"n\",reason_code=\"xny\"}"), nullptr);
}

TEST_F(SelectorTest, ReadsCountersExactlyUpToTwoToThe53AndRejectsAbove) {
  const SelectedPage selected = selector_.Select(
      "mqtt_publish_error{node=\"n\"} 0\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 9007199254740992\n"
      "mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"5\"} 9007199254740993\n"
      "mqtt_pubcomp_received{node=\"n\",mqtt_version=\"4\"} 18446744073709551616\n"
      "mqtt_pubcomp_received{node=\"n\",mqtt_version=\"5\"} 1e3\n");
  EXPECT_EQ(selected.rejected_values, 2u);
  ASSERT_THAT(selected.series, SizeIs(2));
  EXPECT_EQ(selected.series[0].value, kMaxCounterValue);
  EXPECT_EQ(selected.series[1].value, 1000u);
}

TEST_F(SelectorTest, MatchesA40KBReasonCodeWithoutRecursion) {
  const std::string huge(40 * 1024, 'r');
  const SelectedPage selected = selector_.Select(
      "mqtt_publish_error{node=\"n\"} 0\n"
      "mqtt_pubcomp_received{node=\"n\",mqtt_version=\"5\",reason_code=\"" +
      huge + "\"} 1\n");
  ASSERT_THAT(selected.series, SizeIs(1));
  size_t feeding = 0;
  for (const auto& signal : config::DefaultSignals()) feeding += Feeds(signal, selected.series[0]);
  EXPECT_GE(feeding, 1u);
}

TEST(Feeds, UnsuccessfulSignalTakesOnlyV5NonSuccessReasons) {
  const auto defaults = config::DefaultSignals();
  const config::Signal* unsuccessful = nullptr;
  for (const auto& signal : defaults) {
    if (signal.name == "vmq_pubcomp_received_unsuccessful") unsuccessful = &signal;
  }
  ASSERT_NE(unsuccessful, nullptr);
  RawSeries v4{"k", "mqtt_pubcomp_received", {{"mqtt_version", "4"}, {"node", "n"}}, 1};
  RawSeries ok{"k",
               "mqtt_pubcomp_received",
               {{"mqtt_version", "5"}, {"node", "n"}, {"reason_code", "success"}},
               1};
  RawSeries bad{"k",
                "mqtt_pubcomp_received",
                {{"mqtt_version", "5"}, {"node", "n"}, {"reason_code", "packet_id_not_found"}},
                1};
  RawSeries other_source{"k", "mqtt_pubcomp_sent", bad.labels, 1};
  EXPECT_FALSE(Feeds(*unsuccessful, v4));
  EXPECT_FALSE(Feeds(*unsuccessful, ok));
  EXPECT_TRUE(Feeds(*unsuccessful, bad));
  EXPECT_FALSE(Feeds(*unsuccessful, other_source));
}

}  // namespace
}  // namespace vmq::signals
