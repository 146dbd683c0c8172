// Label matchers: full-match RE2 expressions, compiled at start-up, safe on any value.

#include "config/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "load_error.h"

namespace vmq::config {
namespace {

using detail::MakeMatcher;
using ::testing::StartsWith;
using vmq::testing::ErrorOf;

TEST(LabelMatcher, MatchesTheWholeValueOnly) {
  const LabelMatcher success = MakeMatcher("reason_code", "success");
  EXPECT_TRUE(success.Matches("success"));
  EXPECT_FALSE(success.Matches("unsuccessful"));
  EXPECT_FALSE(success.Matches("success2"));
}

TEST(LabelMatcher, TreatsAnAbsentLabelAsEmpty) {
  EXPECT_FALSE(MakeMatcher("reason_code", ".+").Matches(""));
  EXPECT_TRUE(MakeMatcher("reason_code", ".*").Matches(""));
}

TEST(LabelMatcher, SupportsAlternationAndClasses) {
  const LabelMatcher matcher = MakeMatcher("reason_code", "packet_id_not_found|[a-z]+_error");
  EXPECT_TRUE(matcher.Matches("packet_id_not_found"));
  EXPECT_TRUE(matcher.Matches("protocol_error"));
  EXPECT_FALSE(matcher.Matches("Protocol_error"));
}

TEST(LabelMatcher, MatchesValuesOfTenMegabytesWithoutRecursion) {
  // std::regex overflowed the stack on 40 KB with ".+"; RE2 is linear and iterative.
  const std::string huge(10 << 20, 'x');
  EXPECT_TRUE(MakeMatcher("reason_code", ".+").Matches(huge));
  EXPECT_TRUE(MakeMatcher("reason_code", "(x|xx)+").Matches(huge));
  EXPECT_FALSE(MakeMatcher("reason_code", "(x+x+)+y").Matches(huge));
}

TEST(LabelMatcher, CopiesShareTheCompiledExpression) {
  const LabelMatcher original = MakeMatcher("reason_code", "a+");
  const LabelMatcher copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.regex.get(), original.regex.get());
  EXPECT_TRUE(copy.Matches("aaa"));
}

TEST(LabelMatcher, RefusesWhatRe2CannotCompile) {
  EXPECT_THROW(MakeMatcher("reason_code", "("), detail::InvalidPattern);
  // Valid ECMAScript, but backreferences and lookaround need backtracking.
  EXPECT_THROW(MakeMatcher("reason_code", "(a)\\1"), detail::InvalidPattern);
  EXPECT_THROW(MakeMatcher("reason_code", "(?=a)a"), detail::InvalidPattern);
}

TEST(LabelMatcherConfig, ReportsAnUnsupportedPatternAtItsPosition) {
  EXPECT_THAT(ErrorOf("targets:\n  - url: http://vmq:8888/metrics\n"
                      "signals:\n  - name: vmq_x\n    help: X.\n    source: mqtt_x\n"
                      "    exclude: {reason_code: \"(?!success)\"}\n"),
              StartsWith("c.yaml:7:28: signals[0].exclude.reason_code \"(?!success)\" is not a "
                         "valid regular expression: "));
}

}  // namespace
}  // namespace vmq::config
