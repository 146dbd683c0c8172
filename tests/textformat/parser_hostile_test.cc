// Hostile pages: whatever the bytes, the parser returns consistent statistics and keeps
// reading the lines that are fine.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "common/fixtures.h"
#include "recording_handler.h"
#include "textformat/parser.h"

namespace vmq::textformat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ParsePage;
using ::testing::SizeIs;

void ExpectConsistentStats(const testing::ParsedPage& parsed) {
  const ParseStats& stats = parsed.stats;
  EXPECT_EQ(stats.samples, parsed.handler.samples.size());
  EXPECT_LE(stats.samples + stats.bad_lines, stats.lines);
  EXPECT_EQ(stats.errors.size(), std::min(stats.bad_lines, ParseStats::kMaxRecordedErrors));
  size_t previous = 0;
  for (const LineError& error : stats.errors) {
    EXPECT_GT(error.line, previous);
    EXPECT_LE(error.line, stats.lines);
    EXPECT_FALSE(error.message.empty());
    previous = error.line;
  }
}

// Bytes weighted towards the ones the grammar cares about, so that random pages reach
// deep into label sets and escapes rather than failing on the first byte.
std::string RandomPage(std::mt19937& random, size_t size) {
  static constexpr char kInteresting[] = "m{}=\",\\\"n #\t\r\n0.5e+-InfNaN_:a";
  std::uniform_int_distribution<int> pick(0, 3);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> interesting(0, sizeof(kInteresting) - 2);
  std::string page(size, '\0');
  for (char& c : page) {
    c = pick(random) == 0 ? static_cast<char>(byte(random)) : kInteresting[interesting(random)];
  }
  return page;
}

TEST(ParserOnHostileInput, SurvivesRandomBytes) {
  std::mt19937 random(20240601);
  for (int round = 0; round < 300; ++round) {
    const auto parsed = ParsePage(RandomPage(random, 1 + round * 17));
    ExpectConsistentStats(parsed);
  }
}

TEST(ParserOnHostileInput, SurvivesARealPageWithRandomlyDamagedBytes) {
  const std::string original = vmq::testing::ReadFixture("vernemq-2.0.1.metrics.txt");
  std::mt19937 random(7);
  std::uniform_int_distribution<size_t> position(0, original.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 100; ++round) {
    std::string page = original;
    for (int damage = 0; damage < 20; ++damage)
      page[position(random)] = static_cast<char>(byte(random));
    const auto parsed = ParsePage(page);
    ExpectConsistentStats(parsed);
    EXPECT_GT(parsed.stats.samples, 250u);
  }
}

TEST(ParserOnHostileInput, RejectsAMegabyteLineAndReadsTheNextOne) {
  const std::string page = "a 1\nm{a=\"" + std::string(1 << 20, 'x') + "\"} 1\nb 2";
  const auto parsed = ParsePage(page);
  EXPECT_EQ(parsed.stats.bad_lines, 1u);
  ASSERT_THAT(parsed.stats.errors, SizeIs(1));
  EXPECT_EQ(parsed.stats.errors[0].line, 2u);
  EXPECT_THAT(parsed.stats.errors[0].message, HasSubstr("line too long"));
  EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("a", "b"));
}

TEST(ParserOnHostileInput, ReadsAMegabyteLineWhenTheLimitAllowsIt) {
  const std::string value(1 << 20, 'x');
  ParseLimits limits;
  limits.max_line_bytes = 2 << 20;
  const auto parsed = ParsePage("m{a=\"" + value + "\\n\"} 1\n", limits);
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_EQ(parsed.handler.samples[0].labels[0].second, value + "\n");
}

TEST(ParserOnHostileInput, RejectsTenThousandLabels) {
  std::string line = "m{";
  for (int i = 0; i < 10000; ++i) line += "l" + std::to_string(i) + "=\"v\",";
  ParseLimits limits;
  limits.max_line_bytes = 1 << 20;  // so that the label limit is the one that stops it
  const auto parsed = ParsePage("a 1\n" + line + "} 1\nb 2\n", limits);
  EXPECT_EQ(parsed.stats.bad_lines, 1u);
  ASSERT_THAT(parsed.stats.errors, SizeIs(1));
  EXPECT_EQ(parsed.stats.errors[0].line, 2u);
  EXPECT_THAT(parsed.stats.errors[0].message, HasSubstr("too many labels"));
  EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("a", "b"));
}

TEST(ParserOnHostileInput, ReadsManyLabelsWhenTheLimitAllowsThem) {
  std::string line = "m{";
  for (int i = 0; i < 1000; ++i)
    line += "l" + std::to_string(i) + "=\"v\\\\" + std::to_string(i) + "\",";
  ParseLimits limits;
  limits.max_labels_per_sample = 1000;
  const auto parsed = ParsePage(line + "} 1\n", limits);
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  ASSERT_THAT(parsed.handler.samples[0].labels, SizeIs(1000));
  EXPECT_EQ(parsed.handler.samples[0].labels[999].second, "v\\999");
}

TEST(ParserOnHostileInput, RejectsUnterminatedQuoteAtEndOfPage) {
  for (const char* tail : {"m{a=\"abc", "m{a=\"abc\\", "m{a=\"", "m{a=\"\\\""}) {
    SCOPED_TRACE(tail);
    const auto parsed = ParsePage(std::string("a 1\n") + tail);
    EXPECT_EQ(parsed.stats.bad_lines, 1u);
    ASSERT_THAT(parsed.stats.errors, SizeIs(1));
    EXPECT_EQ(parsed.stats.errors[0].line, 2u);
    EXPECT_THAT(parsed.stats.errors[0].message, HasSubstr("unterminated label value"));
    EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("a"));
  }
}

}  // namespace
}  // namespace vmq::textformat
