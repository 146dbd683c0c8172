#include "docs/marker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vmq::docs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Marker Parse(const std::string& text) {
  std::string error;
  const std::optional<Marker> marker = ParseMarker(text, &error);
  EXPECT_TRUE(marker.has_value()) << error;
  return marker.value_or(Marker{});
}

std::string ErrorOf(const std::string& text) {
  std::string error;
  EXPECT_FALSE(ParseMarker(text, &error).has_value()) << text;
  return error;
}

TEST(ParseMarker, NoTextIsNoMarker) { EXPECT_EQ(Parse("").kind, MarkerKind::kNone); }

TEST(ParseMarker, ReadsFragments) {
  EXPECT_EQ(Parse("fragment of config.yaml").kind, MarkerKind::kFragmentOfConfig);
  EXPECT_EQ(Parse("fragment of a target").kind, MarkerKind::kFragmentOfTarget);
}

TEST(ParseMarker, ReadsTheErrorOfAnInvalidConfig) {
  const Marker marker = Parse("invalid, error \"poll.timeout (5s) must be shorter\"");
  EXPECT_EQ(marker.kind, MarkerKind::kInvalid);
  EXPECT_THAT(marker.texts, ElementsAre("poll.timeout (5s) must be shorter"));
}

TEST(ParseMarker, ReadsCoveredByWithPartsInBackticksOrQuotes) {
  const Marker marker =
      Parse("covered-by tests/deploy/x_test.cc `\"verify\", unit` \"--offline=yes\"");
  EXPECT_EQ(marker.kind, MarkerKind::kCoveredBy);
  EXPECT_EQ(marker.path, "tests/deploy/x_test.cc");
  EXPECT_THAT(marker.texts, ElementsAre("\"verify\", unit", "--offline=yes"));
  EXPECT_EQ(Parse("covered-by .ci/run `make test`").path, ".ci/run");
}

TEST(ParseMarker, CoveredByMustNameATest) {
  EXPECT_THAT(ErrorOf("covered-by src/main.cc"), HasSubstr("must name a test"));
  EXPECT_THAT(ErrorOf("covered-by tests/x.sh make"), HasSubstr("`backticks`"));
}

TEST(ParseMarker, NotRunNeedsAReason) {
  EXPECT_EQ(Parse("not-run: needs systemd").reason, "needs systemd");
  EXPECT_THAT(ErrorOf("not-run:"), HasSubstr("needs a reason"));
}

TEST(ParseMarker, ScratchTakesAbsoluteFolders) {
  EXPECT_THAT(Parse("scratch /tmp/ /var/lib/x/").texts, ElementsAre("/tmp/", "/var/lib/x/"));
  EXPECT_THAT(ErrorOf("scratch tmp/"), HasSubstr("absolute folders"));
  EXPECT_THAT(ErrorOf("scratch /"), HasSubstr("absolute folders"));
}

TEST(ParseMarker, ReadsExprOfUsageOfAndSameAs) {
  const Marker expr = Parse("expr of VerneMQTargetDown in alerts/r.yml");
  EXPECT_EQ(expr.kind, MarkerKind::kExprOf);
  EXPECT_EQ(expr.name, "VerneMQTargetDown");
  EXPECT_EQ(expr.path, "alerts/r.yml");
  EXPECT_EQ(Parse("usage of vmq-sim").name, "vmq-sim");
  EXPECT_EQ(Parse("same as scenarios/example.yaml").path, "scenarios/example.yaml");
}

TEST(ParseMarker, AnUnknownMarkerListsTheFormsThatExist) {
  const std::string error = ErrorOf("skip");
  EXPECT_THAT(error, HasSubstr("unknown docs-test marker \"skip\""));
  EXPECT_THAT(error, HasSubstr("not-run: REASON"));
}

}  // namespace
}  // namespace vmq::docs
