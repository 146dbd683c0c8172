// The parser on real pages served by VerneMQ (and one by another program).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "common/fixtures.h"
#include "recording_handler.h"
#include "textformat/parser.h"

namespace vmq::textformat {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Pair;
using testing::ParsePage;
using testing::RecordedSample;
using ::testing::StartsWith;

constexpr char kPage201[] = "vernemq-2.0.1.metrics.txt";
// Non-comment, non-blank lines of the page (grep -cv -e '^#' -e '^[[:space:]]*$').
constexpr size_t kSamplesIn201 = 330;
constexpr size_t kLinesIn201 = 588;

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::vector<RecordedSample> SamplesOnLines(const std::vector<RecordedSample>& samples, size_t first,
                                           size_t last) {
  std::vector<RecordedSample> found;
  std::copy_if(samples.begin(), samples.end(), std::back_inserter(found),
               [&](const RecordedSample& s) { return s.line >= first && s.line <= last; });
  return found;
}

auto IsV5Sample(const std::string& name, size_t line, const std::string& reason_code) {
  return AllOf(Field(&RecordedSample::name, name), Field(&RecordedSample::line, line),
               Field(&RecordedSample::value, 0.0),
               Field(&RecordedSample::labels,
                     ElementsAre(Pair("node", "VerneMQ@10.10.10.20"), Pair("mqtt_version", "5"),
                                 Pair("reason_code", reason_code))));
}

TEST(ParserOnRealPages, ReadsEverySampleOfTheVerneMq201Page) {
  const auto parsed = ParsePage(vmq::testing::ReadFixture(kPage201));
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_THAT(parsed.stats.errors, IsEmpty());
  EXPECT_EQ(parsed.stats.lines, kLinesIn201);
  EXPECT_EQ(parsed.stats.samples, kSamplesIn201);
  EXPECT_EQ(parsed.handler.samples.size(), kSamplesIn201);
}

TEST(ParserOnRealPages, FindsV5PubcompReasonCodesFarFromTheirFamily) {
  const auto parsed = ParsePage(vmq::testing::ReadFixture(kPage201));
  EXPECT_THAT(SamplesOnLines(parsed.handler.samples, 295, 298),
              ElementsAre(IsV5Sample("vernemq_mqtt_pubcomp_sent", 295, "success"),
                          IsV5Sample("vernemq_mqtt_pubcomp_sent", 296, "packet_id_not_found"),
                          IsV5Sample("vernemq_mqtt_pubcomp_received", 297, "success"),
                          IsV5Sample("vernemq_mqtt_pubcomp_received", 298, "packet_id_not_found")));
}

TEST(ParserOnRealPages, ReadsTypesAndHelpOfTheVerneMq201Page) {
  const auto parsed = ParsePage(vmq::testing::ReadFixture(kPage201));
  const auto& types = parsed.handler.types;
  EXPECT_EQ(types.at("vernemq_mqtt_pubcomp_received"), MetricType::kCounter);
  EXPECT_EQ(parsed.handler.helps.at("vernemq_mqtt_pubcomp_received"),
            "The number of PUBCOMP packets received.");
  const auto count = [&](MetricType type) {
    return std::count_if(types.begin(), types.end(),
                         [&](const auto& entry) { return entry.second == type; });
  };
  EXPECT_EQ(types.size(), 129u);
  EXPECT_EQ(count(MetricType::kCounter), 69);
  EXPECT_EQ(count(MetricType::kGauge), 55);
  EXPECT_EQ(count(MetricType::kHistogram), 5);
}

TEST(ParserOnRealPages, ReadsHistogramBucketsThatStartWithInf) {
  const auto parsed = ParsePage(vmq::testing::ReadFixture(kPage201));
  const auto buckets = SamplesOnLines(parsed.handler.samples, 500, 501);
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].name, "vernemq_storage_scan_microseconds_bucket");
  EXPECT_THAT(buckets[0].labels,
              ElementsAre(Pair("node", "VerneMQ@10.10.10.20"), Pair("le", "+Inf")));
  EXPECT_EQ(buckets[0].value, 50.0);
  EXPECT_THAT(buckets[1].labels,
              ElementsAre(Pair("node", "VerneMQ@10.10.10.20"), Pair("le", "1000000")));
}

struct CapturedPage {
  const char* file;
  size_t samples;  // non-comment, non-blank lines
};

class ParserOn212Pages : public ::testing::TestWithParam<CapturedPage> {};

TEST_P(ParserOn212Pages, ReadsEverySampleWithoutBadLines) {
  const auto parsed = ParsePage(vmq::testing::ReadFixture(std::string("2.1.2/") + GetParam().file));
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_THAT(parsed.stats.errors, IsEmpty());
  EXPECT_EQ(parsed.stats.samples, GetParam().samples);
  EXPECT_EQ(parsed.handler.types.at("vernemq_mqtt_pubcomp_invalid_error"), MetricType::kCounter);
}

INSTANTIATE_TEST_SUITE_P(EveryCapture, ParserOn212Pages,
                         ::testing::Values(CapturedPage{"00-idle.txt", 302},
                                           CapturedPage{"01-after-normal-qos2-v4-and-v5.txt", 320},
                                           CapturedPage{"02-after-v4-unexpected-pubcomp.txt", 320},
                                           CapturedPage{"03-after-v5-unexpected-pubcomp.txt", 320},
                                           CapturedPage{"04-after-v5-unexpected-pubcomp-rc92.txt",
                                                        320},
                                           CapturedPage{"05-after-v5-pubrel-unknown-id.txt", 320},
                                           CapturedPage{"06-before-restart.txt", 320},
                                           CapturedPage{"07-after-restart.txt", 302}),
                         [](const ::testing::TestParamInfo<CapturedPage>& param_info) {
                           return "Page" + std::string(param_info.param.file).substr(0, 2);
                         });

TEST(ParserOnRealPages, DeliversLastSampleOf1xStylePageWithoutFinalNewline) {
  std::string page = ReplaceAll(vmq::testing::ReadFixture(kPage201), "vernemq_", "");
  ASSERT_EQ(page.back(), '\n');
  page.pop_back();
  const auto parsed = ParsePage(page);
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  ASSERT_EQ(parsed.handler.samples.size(), kSamplesIn201);
  const RecordedSample& last = parsed.handler.samples.back();
  EXPECT_EQ(last.name, "swc_tombstone_count");
  EXPECT_EQ(last.line, kLinesIn201);
  EXPECT_THAT(last.labels,
              ElementsAre(Pair("node", "VerneMQ@10.10.10.20"), Pair("group", "meta9")));
  EXPECT_EQ(parsed.handler.types.at("mqtt_pubcomp_received"), MetricType::kCounter);
}

TEST(ParserOnRealPages, ReadsPageWithCustomNamespace) {
  const auto parsed =
      ParsePage(ReplaceAll(vmq::testing::ReadFixture(kPage201), "vernemq_", "myns_"));
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  ASSERT_EQ(parsed.handler.samples.size(), kSamplesIn201);
  for (const RecordedSample& sample : parsed.handler.samples) {
    EXPECT_THAT(sample.name, StartsWith("myns_"));
  }
  EXPECT_EQ(parsed.handler.types.at("myns_mqtt_pubcomp_received"), MetricType::kCounter);
}

TEST(ParserOnRealPages, ReadsAPageFromAnotherExporter) {
  const auto parsed = ParsePage(vmq::testing::ReadFixture("not-vernemq.metrics.txt"));
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  ASSERT_EQ(parsed.handler.samples.size(), 9u);
  EXPECT_THAT(parsed.handler.samples[0].name, "wmi_os_process_memory_limix_bytes");
  EXPECT_EQ(parsed.handler.samples[0].value, 1.40737488224256e+14);
  const RecordedSample& last = parsed.handler.samples.back();
  EXPECT_EQ(last.name, "wmi_os_visible_memory_bytes");
  EXPECT_EQ(last.value, 4.294496256e+09);
  EXPECT_EQ(parsed.handler.types.at("wmi_os_timezone"), MetricType::kGauge);
}

}  // namespace
}  // namespace vmq::textformat
