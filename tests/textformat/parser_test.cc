// What the parser accepts: the syntax of well-formed lines and the leniencies VerneMQ needs.

#include "textformat/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "recording_handler.h"

namespace vmq::textformat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using testing::ParsePage;

TEST(Parser, ReadsNameAndValue) {
  const auto parsed = ParsePage("up 1\n");
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_EQ(parsed.handler.samples[0].name, "up");
  EXPECT_THAT(parsed.handler.samples[0].labels, IsEmpty());
  EXPECT_EQ(parsed.handler.samples[0].value, 1.0);
  EXPECT_EQ(parsed.handler.samples[0].line, 1u);
  EXPECT_EQ(parsed.stats.samples, 1u);
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
}

TEST(Parser, ReadsLabelsInPageOrder) {
  const auto parsed = ParsePage("m{node=\"n1\",mqtt_version=\"5\",reason_code=\"success\"} 7\n");
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_THAT(
      parsed.handler.samples[0].labels,
      ElementsAre(Pair("node", "n1"), Pair("mqtt_version", "5"), Pair("reason_code", "success")));
  EXPECT_EQ(parsed.handler.samples[0].value, 7.0);
}

TEST(Parser, AcceptsTrailingCommaInLabelSet) {
  const auto parsed = ParsePage("m{a=\"b\",c=\"d\",} 1\n");
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_THAT(parsed.handler.samples[0].labels, ElementsAre(Pair("a", "b"), Pair("c", "d")));
}

TEST(Parser, AcceptsEmptyLabelSetAndEmptyLabelValue) {
  const auto parsed = ParsePage("m{} 1\nn{a=\"\"} 2\n");
  ASSERT_EQ(parsed.handler.samples.size(), 2u);
  EXPECT_THAT(parsed.handler.samples[0].labels, IsEmpty());
  EXPECT_THAT(parsed.handler.samples[1].labels, ElementsAre(Pair("a", "")));
}

TEST(Parser, AcceptsSpacesAndTabsBetweenTokens) {
  const auto parsed = ParsePage("  m \t{ a = \"b\" ,\tc=\"d\" , }\t 3  \t 42 \t\n");
  ASSERT_EQ(parsed.stats.bad_lines, 0u) << parsed.stats.errors[0].message;
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_EQ(parsed.handler.samples[0].name, "m");
  EXPECT_THAT(parsed.handler.samples[0].labels, ElementsAre(Pair("a", "b"), Pair("c", "d")));
  EXPECT_EQ(parsed.handler.samples[0].value, 3.0);
  EXPECT_EQ(parsed.handler.samples[0].timestamp_ms, 42);
}

TEST(Parser, AcceptsValueRightAfterLabelSet) {
  const auto parsed = ParsePage("m{a=\"b\"}5\n");
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_EQ(parsed.handler.samples[0].value, 5.0);
}

TEST(Parser, AcceptsColonsInMetricNames) {
  const auto parsed = ParsePage("job:requests:rate5m 2\n:leading 3\n");
  EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("job:requests:rate5m", ":leading"));
}

TEST(Parser, UnescapesBackslashQuoteAndNewlineInLabelValues) {
  const auto parsed = ParsePage(R"(m{a="x\\y\"z\nw"} 1)"
                                "\n");
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_THAT(parsed.handler.samples[0].labels, ElementsAre(Pair("a", "x\\y\"z\nw")));
}

TEST(Parser, KeepsEveryEscapedLabelValueOfALineIntact) {
  // Several escaped values in one line, long enough that a buffer growing under earlier
  // values would move them.
  const std::string first(300, 'f');
  const std::string second(5000, 's');
  const std::string page =
      "m{a=\"" + first + "\\\\\",b=\"plain\",c=\"\\\"" + second + "\",d=\"\\n\"} 1\n";
  const auto parsed = ParsePage(page);
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_THAT(parsed.handler.samples[0].labels,
              ElementsAre(Pair("a", first + "\\"), Pair("b", "plain"), Pair("c", "\"" + second),
                          Pair("d", "\n")));
}

class ViewCheckingHandler : public Handler {
 public:
  explicit ViewCheckingHandler(std::string_view page) : page_(page) {}
  void OnSample(const Sample& sample) override {
    EXPECT_TRUE(InPage(sample.name)) << sample.name;
    for (const Label& label : sample.labels) {
      EXPECT_TRUE(InPage(label.name)) << label.name;
      EXPECT_TRUE(InPage(label.value)) << label.value;
    }
    ++samples;
  }
  int samples = 0;

 private:
  bool InPage(std::string_view view) const {
    return view.data() >= page_.data() && view.data() + view.size() <= page_.data() + page_.size();
  }
  std::string_view page_;
};

TEST(Parser, HandsOutViewsIntoThePageWhenNothingIsEscaped) {
  const std::string page = "m{node=\"VerneMQ@10.0.0.7\",mqtt_version=\"4\"} 1\nn{a=\"b\"} 2\n";
  ViewCheckingHandler handler(page);
  Parse(page, handler);
  EXPECT_EQ(handler.samples, 2);
}

TEST(Parser, RejectsInvalidUtf8InLabelValueAsBadLine) {
  const auto parsed = ParsePage("m{a=\"\xff\xfe\xc3\"} 1\nn 2\n");
  EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("n"));
  EXPECT_EQ(parsed.stats.bad_lines, 1u);
  ASSERT_EQ(parsed.stats.errors.size(), 1u);
  EXPECT_EQ(parsed.stats.errors[0].line, 1u);
  EXPECT_THAT(parsed.stats.errors[0].message, HasSubstr("not valid UTF-8"));
}

TEST(Parser, ReadsNanAndInfinities) {
  const auto parsed = ParsePage("a NaN\nb +Inf\nc -Inf\nd Inf\n");
  ASSERT_EQ(parsed.handler.samples.size(), 4u);
  EXPECT_TRUE(std::isnan(parsed.handler.samples[0].value));
  EXPECT_EQ(parsed.handler.samples[1].value, INFINITY);
  EXPECT_EQ(parsed.handler.samples[2].value, -INFINITY);
  EXPECT_EQ(parsed.handler.samples[3].value, INFINITY);
}

TEST(Parser, ReadsIntegersFloatsAndExponents) {
  const auto parsed = ParsePage(
      "a 42\nb -7\nc 3.25\nd 1e3\ne 1.5E-3\nf +2\ng .5\nh 1.40737488224256e+14\n"
      "i 18446744073709551615\n");
  ASSERT_EQ(parsed.stats.bad_lines, 0u) << parsed.stats.errors[0].message;
  std::vector<double> values;
  for (const auto& sample : parsed.handler.samples) values.push_back(sample.value);
  EXPECT_THAT(values, ElementsAre(42.0, -7.0, 3.25, 1000.0, 0.0015, 2.0, 0.5, 1.40737488224256e+14,
                                  18446744073709551615.0));
}

TEST(Parser, ReadsOptionalTimestamp) {
  const auto parsed = ParsePage("a 1 1700000000123\nb 2\nc{x=\"y\"} 3 -5\n");
  ASSERT_EQ(parsed.handler.samples.size(), 3u);
  EXPECT_EQ(parsed.handler.samples[0].timestamp_ms, 1700000000123);
  EXPECT_EQ(parsed.handler.samples[1].timestamp_ms, std::nullopt);
  EXPECT_EQ(parsed.handler.samples[2].timestamp_ms, -5);
}

TEST(Parser, ToleratesCrlfLineEndings) {
  const auto parsed =
      ParsePage("# HELP m Some help.\r\n# TYPE m counter\r\nm{a=\"b\"} 1\r\nn 2 33\r\n\r\n");
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_EQ(parsed.handler.helps.at("m"), "Some help.");
  EXPECT_EQ(parsed.handler.types.at("m"), MetricType::kCounter);
  ASSERT_EQ(parsed.handler.samples.size(), 2u);
  EXPECT_THAT(parsed.handler.samples[0].labels, ElementsAre(Pair("a", "b")));
  EXPECT_EQ(parsed.handler.samples[1].timestamp_ms, 33);
}

TEST(Parser, AcceptsPageWithoutFinalNewline) {
  const auto parsed = ParsePage("a 1\nb{x=\"y\"} 2");
  EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("a", "b"));
  EXPECT_EQ(parsed.handler.samples[1].value, 2.0);
  EXPECT_EQ(parsed.stats.lines, 2u);
}

TEST(Parser, ReadsNothingFromAnEmptyPage) {
  const auto parsed = ParsePage("");
  EXPECT_EQ(parsed.stats.lines, 0u);
  EXPECT_EQ(parsed.stats.samples, 0u);
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
}

TEST(Parser, NumbersLinesCountingBlankAndCommentLines) {
  const auto parsed = ParsePage("\n# a comment\n   \n\t\na 1\n#\nb 2\n\n");
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_EQ(parsed.stats.lines, 8u);
  ASSERT_EQ(parsed.handler.samples.size(), 2u);
  EXPECT_EQ(parsed.handler.samples[0].line, 5u);
  EXPECT_EQ(parsed.handler.samples[1].line, 7u);
}

TEST(Parser, IgnoresCommentsOtherThanHelpAndType) {
  const auto parsed = ParsePage("# just words\n#\n# EOF\n# HELPER not help\n  # indented\na 1\n");
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_THAT(parsed.handler.helps, IsEmpty());
  EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("a"));
}

TEST(Parser, UnescapesBackslashAndNewlineInHelpText) {
  const auto parsed = ParsePage(R"(# HELP m First\\second\nthird "quoted")"
                                "\n");
  EXPECT_EQ(parsed.handler.helps.at("m"), "First\\second\nthird \"quoted\"");
}

TEST(Parser, KeepsOtherBackslashesInHelpTextAsWritten) {
  const auto parsed = ParsePage(R"(# HELP m Path C:\temp\ and \"this\")"
                                "\n");
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_EQ(parsed.handler.helps.at("m"), R"(Path C:\temp\ and \"this\")");
}

TEST(Parser, AcceptsHelpWithoutText) {
  const auto parsed = ParsePage("# HELP m\n# HELP n \t\n");
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_THAT(parsed.handler.helps, ElementsAre(Pair("m", ""), Pair("n", "")));
}

TEST(Parser, ReadsEveryMetricType) {
  const auto parsed = ParsePage(
      "# TYPE a counter\n# TYPE b gauge\n# TYPE c histogram\n# TYPE d summary\n"
      "# TYPE e untyped\n#\tTYPE\tf\tgauge\t\n");
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_THAT(parsed.handler.types,
              ElementsAre(Pair("a", MetricType::kCounter), Pair("b", MetricType::kGauge),
                          Pair("c", MetricType::kHistogram), Pair("d", MetricType::kSummary),
                          Pair("e", MetricType::kUntyped), Pair("f", MetricType::kGauge)));
}

TEST(Parser, AcceptsSamplesFarFromTheirFamilyAndBucketsInfFirst) {
  const auto parsed = ParsePage(
      "# TYPE x counter\nx{v=\"4\"} 1\n# TYPE y gauge\ny 2\nx{v=\"5\"} 3\n"
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 9\nh_bucket{le=\"10\"} 9\nh_bucket{le=\"1\"} 4\n"
      "h_sum 30\nh_count 9\n");
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
  EXPECT_THAT(parsed.handler.SampleNames(),
              ElementsAre("x", "y", "x", "h_bucket", "h_bucket", "h_bucket", "h_sum", "h_count"));
  EXPECT_THAT(parsed.handler.samples[3].labels, ElementsAre(Pair("le", "+Inf")));
}

}  // namespace
}  // namespace vmq::textformat
