// Values a hostile or broken page may carry: exact integers however they are written,
// label values that are not UTF-8, label values far larger than any real one.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "recording_handler.h"
#include "textformat/number.h"
#include "textformat/parser.h"

namespace vmq::textformat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using testing::ParsePage;

std::optional<uint64_t> IntegerOf(const std::string& literal) {
  const auto parsed = ParsePage("m " + literal + "\n");
  if (parsed.handler.samples.size() != 1) return std::nullopt;
  return parsed.handler.samples[0].integer;
}

TEST(ExactInteger, IsGivenForPlainIntegerLiterals) {
  EXPECT_THAT(IntegerOf("0"), Optional(0u));
  EXPECT_THAT(IntegerOf("42"), Optional(42u));
  EXPECT_THAT(IntegerOf("+42"), Optional(42u));
  EXPECT_THAT(IntegerOf("-0"), Optional(0u));
  EXPECT_THAT(IntegerOf("007"), Optional(7u));
}

TEST(ExactInteger, IsGivenForIntegersWrittenAsFloats) {
  EXPECT_THAT(IntegerOf("42.000"), Optional(42u));
  EXPECT_THAT(IntegerOf("4.2e1"), Optional(42u));
  EXPECT_THAT(IntegerOf("1.05e2"), Optional(105u));
  EXPECT_THAT(IntegerOf("4200e-2"), Optional(42u));
  EXPECT_THAT(IntegerOf("1e19"), Optional(10000000000000000000u));
  EXPECT_THAT(IntegerOf("0.0e999999999999999999999"), Optional(0u));
}

TEST(ExactInteger, KeepsEveryDigitAboveTwoToThe53) {
  // A double would read 2^53 + 1 as 2^53.
  EXPECT_THAT(IntegerOf("9007199254740993"), Optional(9007199254740993u));
  EXPECT_THAT(IntegerOf("18446744073709551615"), Optional(18446744073709551615u));
  EXPECT_THAT(IntegerOf("1.8446744073709551615e19"), Optional(18446744073709551615u));
}

TEST(ExactInteger, IsAbsentForWhatIsNotANonNegative64BitInteger) {
  EXPECT_EQ(IntegerOf("18446744073709551616"), std::nullopt);  // 2^64
  EXPECT_EQ(IntegerOf("1e20"), std::nullopt);
  EXPECT_EQ(IntegerOf("1e99999999999999999999"), std::nullopt);
  EXPECT_EQ(IntegerOf("1.5"), std::nullopt);
  EXPECT_EQ(IntegerOf("1.00000000000000001"), std::nullopt);  // a double would say 1
  EXPECT_EQ(IntegerOf("-1"), std::nullopt);
  EXPECT_EQ(IntegerOf("NaN"), std::nullopt);
  EXPECT_EQ(IntegerOf("+Inf"), std::nullopt);
  EXPECT_EQ(IntegerOf("1e-1"), std::nullopt);
}

TEST(ExactInteger, IsRefusedOnMalformedTokens) {
  for (const char* token : {"", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1_000"}) {
    EXPECT_EQ(detail::ParseExactInteger(token), std::nullopt) << token;
  }
}

TEST(LabelValueUtf8, AcceptsMultiByteCharactersAtEveryLength) {
  const auto parsed = ParsePage("m{a=\"é€𝄞\xf4\x8f\xbf\xbf\"} 1\n");
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_EQ(parsed.stats.bad_lines, 0u);
}

TEST(LabelValueUtf8, RejectsEveryKindOfIllFormedSequence) {
  const char* kBad[] = {
      "\xff",              // never valid
      "\x80",              // lone continuation
      "\xc3",              // truncated
      "\xc0\xaf",          // overlong '/'
      "\xe0\x80\xaf",      // overlong, three bytes
      "\xed\xa0\x80",      // surrogate U+D800
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xf8\x88\x80\x80\x80",
      "ok\xe2\x82",  // truncated at the end of the value
  };
  for (const char* bad : kBad) {
    const auto parsed = ParsePage(std::string("m{a=\"") + bad + "\"} 1\n");
    EXPECT_TRUE(parsed.handler.samples.empty()) << bad;
    EXPECT_EQ(parsed.stats.bad_lines, 1u) << bad;
  }
}

TEST(LabelValueUtf8, IsCheckedAfterUnescaping) {
  const auto parsed = ParsePage("m{a=\"x\\n\xc3\"} 1\nm{a=\"x\\n\xc3\xa9\"} 2\n");
  ASSERT_EQ(parsed.handler.samples.size(), 1u);
  EXPECT_EQ(parsed.handler.samples[0].value, 2);
}

std::string PageWithLabelValueOf(size_t bytes) {
  return "vernemq_mqtt_pubcomp_invalid_error{reason_code=\"" + std::string(bytes, 'x') +
         "\"} 1\nok 2\n";
}

TEST(HugeLabelValue, Of40KBIsReadWithinTheLineLimit) {
  const auto parsed = ParsePage(PageWithLabelValueOf(40 * 1024));
  ASSERT_EQ(parsed.handler.samples.size(), 2u);
  EXPECT_EQ(parsed.handler.samples[0].labels[0].second.size(), 40u * 1024);
}

TEST(HugeLabelValue, Of1MBAnd10MBIsABadLineAndTheRestIsRead) {
  for (size_t bytes : {size_t{1} << 20, size_t{10} << 20}) {
    const auto parsed = ParsePage(PageWithLabelValueOf(bytes));
    EXPECT_THAT(parsed.handler.SampleNames(), ElementsAre("ok"));
    ASSERT_EQ(parsed.stats.bad_lines, 1u);
    EXPECT_THAT(parsed.stats.errors[0].message, HasSubstr("line too long"));
  }
}

}  // namespace
}  // namespace vmq::textformat
