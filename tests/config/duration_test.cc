#include <string>

#include <gtest/gtest.h>

#include "config/config.h"

namespace vmq::config {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct GoodDuration {
  const char* text;
  Millis length;
};

class AcceptsDuration : public ::testing::TestWithParam<GoodDuration> {};

TEST_P(AcceptsDuration, AndReturnsItsLength) {
  Millis length{-1};
  ASSERT_TRUE(ParseDuration(GetParam().text, &length));
  EXPECT_EQ(length, GetParam().length);
}

INSTANTIATE_TEST_SUITE_P(
    Duration, AcceptsDuration,
    ::testing::Values(GoodDuration{"800ms", Millis(800)}, GoodDuration{"10s", seconds(10)},
                      GoodDuration{"1m", minutes(1)}, GoodDuration{"1h30m", minutes(90)},
                      GoodDuration{"90s", seconds(90)}, GoodDuration{"2d", days(2)},
                      GoodDuration{"1w", days(7)}, GoodDuration{"1y", days(365)},
                      GoodDuration{"1y2w3d4h5m6s7ms", days(365 + 14 + 3) + hours(4) + minutes(5) +
                                                          seconds(6) + Millis(7)},
                      GoodDuration{"0m30s", seconds(30)}, GoodDuration{"05s", seconds(5)},
                      GoodDuration{"1m500ms", Millis(60'500)}));

class RejectsDuration : public ::testing::TestWithParam<const char*> {};

TEST_P(RejectsDuration, AndLeavesOutputUntouched) {
  Millis length{-1};
  EXPECT_FALSE(ParseDuration(GetParam(), &length));
  EXPECT_EQ(length, Millis(-1));
}

INSTANTIATE_TEST_SUITE_P(Duration, RejectsDuration,
                         ::testing::Values("", "0", "0s", "0m0s", "5", "s", "ms", "5S", "5M",
                                           "1.5s", "-5s", "+5s", " 5s", "5s ", "1h 30m", "30m1h",
                                           "1ms1s", "1m1m", "1s1s", "5sec", "5mss", "5us",
                                           "99999999999999999999s", "300000000y", "1m30"));

TEST(FormatDuration, WritesLargestUnitsFirst) {
  EXPECT_EQ(FormatDuration(Millis(800)), "800ms");
  EXPECT_EQ(FormatDuration(seconds(10)), "10s");
  EXPECT_EQ(FormatDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatDuration(days(7)), "1w");
  EXPECT_EQ(FormatDuration(days(366) + Millis(1)), "1y1d1ms");
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
  for (Millis length : {Millis(1), Millis(1500), Millis(3'723'004), Millis(90'061'000)}) {
    Millis parsed{0};
    ASSERT_TRUE(ParseDuration(FormatDuration(length), &parsed)) << FormatDuration(length);
    EXPECT_EQ(parsed, length);
  }
}

}  // namespace
}  // namespace vmq::config
