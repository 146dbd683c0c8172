#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/clock.h"
#include "page_lines.h"
#include "sim/node_model.h"
#include "sim/page_renderer.h"
#include "sim/page_template.h"

namespace vmq::sim {
namespace {

using ::testing::HasSubstr;
using testing::Lines;
using ::testing::StartsWith;

std::string IdlePage(const PageStyle& style) {
  FakeClock clock;
  NodeModel model(PageTemplate::Vernemq212(), clock);
  return model.Render(style);
}

std::string MetricOrFamilyName(const std::string& line) {
  if (line.starts_with("# ")) return line.substr(7, line.find(' ', 7) - 7);
  return line.substr(0, line.find('{'));
}

TEST(PageLayout, TwoXLayoutPrefixesEveryNameWithVernemq) {
  for (const std::string& line : Lines(IdlePage(PageStyle{}))) {
    EXPECT_THAT(MetricOrFamilyName(line), StartsWith("vernemq_")) << line;
  }
}

TEST(PageLayout, OneXLayoutHasNoPrefix) {
  const std::string page = IdlePage(PageStyle{"", "VerneMQ@10.0.0.7", true});

  EXPECT_THAT(page, ::testing::Not(HasSubstr("vernemq_")));
  EXPECT_THAT(page, HasSubstr("# TYPE mqtt_pubcomp_invalid_error counter\n"
                              "mqtt_pubcomp_invalid_error{node=\"VerneMQ@10.0.0.7\","
                              "mqtt_version=\"4\"} 0\n"));
}

TEST(PageLayout, CustomNamespacePrefixesEveryName) {
  const std::string page = IdlePage(PageStyle{"myns_", "VerneMQ@127.0.0.1", true});
  for (const std::string& line : Lines(page)) {
    EXPECT_THAT(MetricOrFamilyName(line), StartsWith("myns_")) << line;
    EXPECT_THAT(MetricOrFamilyName(line), ::testing::Not(StartsWith("myns_vernemq_")));
  }
  EXPECT_THAT(page, HasSubstr("\nmyns_mqtt_pubcomp_received{node="));
}

TEST(PageLayout, NoFinalNewlineWhenAsked) {
  const std::string with = IdlePage(PageStyle{"vernemq_", "VerneMQ@127.0.0.1", true});
  const std::string without = IdlePage(PageStyle{"vernemq_", "VerneMQ@127.0.0.1", false});

  ASSERT_EQ(with.back(), '\n');
  EXPECT_NE(without.back(), '\n');
  EXPECT_EQ(without + "\n", with);
}

TEST(PageLayout, NodeIsTheFirstLabelOfEverySample) {
  const std::string page = IdlePage(PageStyle{"vernemq_", "VerneMQ@127.0.0.3", true});
  for (const std::string& line : Lines(page)) {
    if (line.starts_with("#")) continue;
    EXPECT_THAT(line.substr(line.find('{')), StartsWith("{node=\"VerneMQ@127.0.0.3\"")) << line;
  }
}

TEST(PageLayout, HelpAndTypeAppearOncePerName) {
  std::map<std::string, int> seen;
  for (const std::string& line : Lines(IdlePage(PageStyle{}))) {
    if (line.starts_with("# ")) ++seen[line.substr(0, line.find(' ', 7))];
  }
  ASSERT_FALSE(seen.empty());
  for (const auto& [comment, times] : seen) EXPECT_EQ(times, 1) << comment;
}

TEST(PageLayout, HistogramBucketsStartWithInf) {
  const auto lines = Lines(IdlePage(PageStyle{}));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].find("_bucket{") != std::string::npos && lines[i - 1].starts_with("# TYPE")) {
      EXPECT_THAT(lines[i], HasSubstr("le=\"+Inf\"")) << lines[i];
    }
  }
}

TEST(PageLayout, EveryValueIsAnInteger) {
  for (const std::string& line : Lines(IdlePage(PageStyle{}))) {
    if (line.starts_with("#")) continue;
    const std::string value = line.substr(line.rfind(' ') + 1);
    EXPECT_EQ(value.find_first_not_of("0123456789"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace vmq::sim
