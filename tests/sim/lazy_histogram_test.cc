// VerneMQ creates some histograms on first use: a fresh node's page lacks them, and they
// appear once a client session writes metadata.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "page_lines.h"
#include "sim/cluster.h"
#include "sim/events.h"
#include "sim_test_util.h"

namespace vmq::sim {
namespace {

using ::testing::HasSubstr;
using testing::Lines;
using ::testing::Not;

constexpr char kPutHistogram[] = "# TYPE vernemq_metadata_put_microseconds histogram";
constexpr char kDeleteHistogram[] = "# TYPE vernemq_metadata_delete_microseconds histogram";

class LazyHistograms : public ::testing::Test {
 protected:
  std::string Page() const { return cluster_.Render(0); }
  void Apply(const std::string& event) { testing::ApplyAll(cluster_, {event}); }

  FakeClock clock_;
  Cluster cluster_{testing::CapturedNodeScenario(), clock_};
};

TEST_F(LazyHistograms, AreAbsentFromAFreshNode) {
  EXPECT_THAT(Page(), Not(HasSubstr(kPutHistogram)));
  EXPECT_THAT(Page(), Not(HasSubstr(kDeleteHistogram)));
}

TEST_F(LazyHistograms, AppearWithTheFirstClientSession) {
  const std::size_t idle_lines = Lines(Page()).size();
  Apply("v4_pubcomp_unknown_id");

  EXPECT_EQ(Lines(Page()).size(), idle_lines + 22);
  EXPECT_THAT(Page(), HasSubstr(kPutHistogram));
  EXPECT_THAT(Page(), HasSubstr(kDeleteHistogram));
}

TEST_F(LazyHistograms, StayAbsentUnderBackgroundMessages) {
  Scenario scenario = testing::CapturedNodeScenario();
  scenario.nodes[0].background = BackgroundRates{5, 5, 5};
  Cluster cluster(scenario, clock_);
  cluster.Begin(clock_.Now());
  clock_.Advance(Millis(10'000));
  cluster.AdvanceBackground(clock_.Now());

  ASSERT_EQ(cluster.model(0).Value("queue_message_in"), 150u);
  EXPECT_THAT(cluster.Render(0), Not(HasSubstr(kPutHistogram)));
}

TEST_F(LazyHistograms, DisappearOnRestart) {
  Apply("v5_qos2_flow");
  Apply("restart");

  EXPECT_THAT(Page(), Not(HasSubstr(kPutHistogram)));
}

TEST_F(LazyHistograms, SurviveAMetricsReset) {
  Apply("v5_qos2_flow");
  Apply("metrics_reset");

  EXPECT_THAT(Page(), HasSubstr(kPutHistogram));
}

TEST_F(LazyHistograms, RecordOneMetadataWritePerSessionAndSubscription) {
  Apply("v4_qos1_flow");  // two sessions, one subscription

  EXPECT_EQ(cluster_.model(0).Value("metadata_put_microseconds_count"), 3u);
  EXPECT_EQ(cluster_.model(0).Value("metadata_delete_microseconds_count"), 2u);
  EXPECT_EQ(cluster_.model(0).Value("metadata_put_microseconds_bucket{le=\"+Inf\"}"), 3u);
  EXPECT_EQ(cluster_.model(0).Value("metadata_put_microseconds_bucket{le=\"10\"}"), 0u);
}

}  // namespace
}  // namespace vmq::sim
