// A malformed line is counted, described with its line number, and skipped; the lines
// around it are still read.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "recording_handler.h"
#include "textformat/parser.h"

namespace vmq::textformat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ParsePage;

struct MalformedLine {
  const char* name;  // test name suffix
  std::string line;
  const char* message;  // expected part of the recorded message
};

std::string ManyLabels(int count) {
  std::string line = "m{";
  for (int i = 0; i < count; ++i) line += "l" + std::to_string(i) + "=\"v\",";
  return line + "} 1";
}

class ParserRejects : public ::testing::TestWithParam<MalformedLine> {};

TEST_P(ParserRejects, CountsAndDescribesTheLineAndReadsTheOthers) {
  const std::string page = "before{a=\"1\"} 1\n" + GetParam().line + "\nafter 2\n";
  const auto parsed = ParsePage(page);
  EXPECT_EQ(parsed.stats.bad_lines, 1u);
  ASSERT_EQ(parsed.stats.errors.size(), 1u);
  EXPECT_EQ(parsed.stats.errors[0].line, 2u);
  EXPECT_THAT(parsed.stats.errors[0].message, HasSubstr(GetParam().message));
  EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("before", "after"));
  EXPECT_EQ(parsed.handler.samples.back().line, 3u);
  EXPECT_EQ(parsed.stats.samples, 2u);
  EXPECT_EQ(parsed.stats.lines, 3u);
}

INSTANTIATE_TEST_SUITE_P(
    MalformedLines, ParserRejects,
    ::testing::Values(
        MalformedLine{"LabelSetEndingAfterValue", R"(m{a="b")", "unterminated label set"},
        MalformedLine{"LabelSetEndingAfterComma", R"(m{a="b",)", "unterminated label set"},
        MalformedLine{"LabelSetEndingAfterName", R"(m{a)", "unterminated label set"},
        MalformedLine{"LabelSetEndingAfterBrace", R"(m{)", "unterminated label set"},
        MalformedLine{"LabelValueWithoutClosingQuote", R"(m{a="b} 1)", "unterminated label value"},
        MalformedLine{"LabelValueEndingInBackslash", R"(m{a="b\)", "unterminated label value"},
        MalformedLine{"UnknownEscapeInLabelValue", R"(m{a="x\ty"} 1)",
                      R"(invalid escape sequence in label value: "\t")"},
        MalformedLine{"NameWithoutValue", "m", "missing value"},
        MalformedLine{"NameAndBlanksWithoutValue", "m \t ", "missing value"},
        MalformedLine{"LabelsWithoutValue", R"(m{a="b"})", "missing value"},
        MalformedLine{"WordAsValue", "m abc", R"(invalid value: "abc")"},
        MalformedLine{"ValueWithTrailingJunk", "m 12abc", "invalid value"},
        MalformedLine{"ValueWithTwoDots", "m 1.2.3", "invalid value"},
        MalformedLine{"ValueWithTwoSigns", "m +-1", "invalid value"},
        MalformedLine{"ValueWithDoublePlus", "m ++1", "invalid value"},
        MalformedLine{"HexValue", "m 0x10", "invalid value"},
        MalformedLine{"ValueWithDecimalComma", "m 1,5", "invalid value"},
        MalformedLine{"ValueOutOfRange", "m 1e999", "invalid value"},
        MalformedLine{"LoneSignAsValue", "m +", "invalid value"},
        MalformedLine{"MetricNameStartingWithDigit", "9m 1", R"(invalid metric name: "9m")"},
        MalformedLine{"MetricNameWithDash", "m-x 1", "invalid metric name"},
        MalformedLine{"MetricNameWithNonAscii", "m\xc3\xa9 1",
                      R"(invalid metric name: "m\xc3\xa9")"},
        MalformedLine{"LabelSetWithoutMetricName", R"({a="b"} 1)", "invalid metric name"},
        MalformedLine{"LabelNameStartingWithDigit", R"(m{9a="b"} 1)", "invalid label name"},
        MalformedLine{"LabelNameWithDash", R"(m{a-b="c"} 1)", "invalid label name"},
        MalformedLine{"LabelNameWithColon", R"(m{a:b="c"} 1)", "invalid label name"},
        MalformedLine{"EmptyLabelName", R"(m{="b"} 1)", "invalid label name"},
        MalformedLine{"LoneCommaInLabelSet", R"(m{,} 1)", "invalid label name"},
        MalformedLine{"DoubleCommaInLabelSet", R"(m{a="b",,} 1)", "invalid label name"},
        MalformedLine{"LabelWithoutEquals", R"(m{a "b"} 1)", "expected '=' after label name"},
        MalformedLine{"UnquotedLabelValue", R"(m{a=b} 1)", "expected '\"' to open label value"},
        MalformedLine{"LabelsWithoutComma", R"(m{a="b" c="d"} 1)",
                      "expected ',' or '}' after label value"},
        MalformedLine{"DuplicateLabelName", R"(m{a="1",b="2",a="3"} 1)",
                      R"(duplicate label name: "a")"},
        MalformedLine{"SixtyFiveLabels", ManyLabels(65), "too many labels (limit 64)"},
        MalformedLine{"OverLongLine", "m{a=\"" + std::string(70000, 'x') + "\"} 1",
                      "line too long (limit 65536)"},
        MalformedLine{"NulInLabelValue", std::string("m{a=\"x\0y\"} 1", 12), "NUL byte"},
        MalformedLine{"NulAfterValue", std::string("m 1\0", 4), "NUL byte"},
        MalformedLine{"NulInComment", std::string("# HELP m a\0b", 12), "NUL byte"},
        MalformedLine{"FractionalTimestamp", "m 1 12.5", R"(invalid timestamp: "12.5")"},
        MalformedLine{"WordAsTimestamp", "m 1 abc", "invalid timestamp"},
        MalformedLine{"TimestampBeyondInt64", "m 1 9223372036854775808", "invalid timestamp"},
        MalformedLine{"TextAfterTimestamp", "m 1 2 3", R"(unexpected text after timestamp: "3")"},
        MalformedLine{"UnknownType", "# TYPE m bogus", R"(unknown metric type: "bogus")"},
        MalformedLine{"UppercaseType", "# TYPE m COUNTER", "unknown metric type"},
        MalformedLine{"TypeWithoutType", "# TYPE m", "missing metric type"},
        MalformedLine{"TypeWithoutName", "# TYPE", "missing metric name"},
        MalformedLine{"TypeWithBadName", "# TYPE 9m counter", "invalid metric name"},
        MalformedLine{"TypeWithExtraText", "# TYPE m counter extra",
                      "unexpected text after metric type"},
        MalformedLine{"HelpWithoutName", "# HELP  ", "missing metric name"},
        MalformedLine{"HelpWithBadName", "# HELP m-x text", "invalid metric name"}),
    [](const ::testing::TestParamInfo<MalformedLine>& param_info) {
      return param_info.param.name;
    });

TEST(Parser, RecordsOnlyTheFirstErrorsButCountsEveryBadLine) {
  std::string page;
  for (int i = 0; i < 20; ++i) page += "bad line\ngood 1\n";
  const auto parsed = ParsePage(page);
  EXPECT_EQ(parsed.stats.bad_lines, 20u);
  EXPECT_EQ(parsed.stats.samples, 20u);
  ASSERT_EQ(parsed.stats.errors.size(), ParseStats::kMaxRecordedErrors);
  for (size_t i = 0; i < parsed.stats.errors.size(); ++i) {
    EXPECT_EQ(parsed.stats.errors[i].line, 2 * i + 1);
  }
}

TEST(Parser, ShowsUnprintableBytesOfAnExcerptAsHex) {
  const auto parsed = ParsePage("m \x01\x7f\xff\n");
  ASSERT_EQ(parsed.stats.errors.size(), 1u);
  EXPECT_EQ(parsed.stats.errors[0].message, R"(invalid value: "\x01\x7f\xff")");
}

TEST(Parser, ShortensLongExcerpts) {
  const auto parsed = ParsePage("m " + std::string(1000, 'z') + "\n");
  ASSERT_EQ(parsed.stats.errors.size(), 1u);
  EXPECT_EQ(parsed.stats.errors[0].message, "invalid value: \"" + std::string(40, 'z') + "...\"");
}

}  // namespace
}  // namespace vmq::textformat
