// The simulated node against the real VerneMQ 2.1.2 pages in tests/fixtures/2.1.2: the same
// client actions, applied from the idle page, must print the same series in the same order and
// the same value for every counter the broker keeps.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/fixtures.h"
#include "page_lines.h"
#include "sim/cluster.h"
#include "sim_test_util.h"

namespace vmq::sim {
namespace {

using testing::Arrange;
using testing::FamiliesOfType;
using testing::Lines;
using testing::MetricName;
using testing::SeriesOf;
using testing::Values;
using ::vmq::testing::ReadFixture;

struct CapturedStep {
  std::string page;
  std::vector<std::string> events;  // what the clients did since the previous page
};

// The client actions behind each capture, as read from the differences between the pages.
const std::vector<CapturedStep>& CapturedSteps() {
  static const std::vector<CapturedStep> kSteps = {
      {"01-after-normal-qos2-v4-and-v5.txt", {"v4_qos2_flow", "v5_qos2_flow"}},
      {"02-after-v4-unexpected-pubcomp.txt", {"v4_pubcomp_unknown_id"}},
      {"03-after-v5-unexpected-pubcomp.txt",
       {"v4_puback_unknown_id", "v4_pubrec_unknown_id", "v4_pubrel_unknown_id",
        "v5_pubcomp_unknown_id"}},
      {"04-after-v5-unexpected-pubcomp-rc92.txt", {"v5_pubcomp_unknown_id_rc92"}},
      {"05-after-v5-pubrel-unknown-id.txt",
       {"v5_puback_unknown_id", "v5_pubrec_unknown_id", "v5_pubrel_unknown_id"}},
      {"06-before-restart.txt", {"v5_pubrel_unknown_id_rc92", "v5_pubcomp_undeclared_reason"}},
      {"07-after-restart.txt", {"restart"}},
  };
  return kSteps;
}

std::string Fixture(const std::string& page) { return ReadFixture("2.1.2/" + page); }

// The simulated page after every captured step up to and including `last`.
std::string SimulatedPageAfter(std::size_t last) {
  FakeClock clock;
  Cluster cluster(testing::CapturedNodeScenario(), clock);
  for (std::size_t i = 0; i <= last; ++i) testing::ApplyAll(cluster, CapturedSteps()[i].events);
  return cluster.Render(0);
}

// Counters VerneMQ itself keeps (the system_* ones come from the Erlang VM and move on
// their own).
std::vector<std::string> BrokerCounterSeries(const std::string& page) {
  const std::set<std::string> counters = FamiliesOfType(page, "counter");
  std::vector<std::string> out;
  for (const std::string& line : Lines(page)) {
    const std::string series = SeriesOf(line);
    const std::string name = MetricName(series);
    if (!line.starts_with("#") && counters.count(name) && !name.starts_with("vernemq_system_")) {
      out.push_back(series);
    }
  }
  return out;
}

TEST(PageFidelity, IdleNodePrintsTheRealIdlePageByteForByte) {
  const std::string real = Fixture("00-idle.txt");
  const std::string wallclock =
      Values(real).at("vernemq_system_wallclock{node=\"VerneMQ@127.0.0.1\"}");
  FakeClock clock;
  Cluster cluster(testing::CapturedNodeScenario(), clock);
  clock.Advance(Millis(std::stoll(wallclock)));

  EXPECT_EQ(cluster.Render(0), real);
}

class AfterCapturedStep : public ::testing::TestWithParam<std::size_t> {
 protected:
  const CapturedStep& step() const { return CapturedSteps()[GetParam()]; }
};

TEST_P(AfterCapturedStep, EveryBrokerCounterHasTheRealValue) {
  const std::string real = Fixture(step().page);
  const auto simulated_values = Values(SimulatedPageAfter(GetParam()));
  const auto real_values = Values(real);
  const std::vector<std::string> counters = BrokerCounterSeries(real);
  ASSERT_GT(counters.size(), 150u);
  for (const std::string& series : counters) {
    ASSERT_TRUE(simulated_values.count(series)) << series;
    EXPECT_EQ(simulated_values.at(series), real_values.at(series)) << series;
  }
}

TEST_P(AfterCapturedStep, LazyHistogramCountsHaveTheRealValue) {
  const auto simulated_values = Values(SimulatedPageAfter(GetParam()));
  for (const auto& [series, value] : Values(Fixture(step().page))) {
    if (!series.starts_with("vernemq_metadata_put_microseconds_count") &&
        !series.starts_with("vernemq_metadata_delete_microseconds_count")) {
      continue;
    }
    ASSERT_TRUE(simulated_values.count(series)) << series;
    EXPECT_EQ(simulated_values.at(series), value) << series;
  }
}

TEST_P(AfterCapturedStep, SameSeriesAsTheRealPage) {
  const auto simulated = Arrange(SimulatedPageAfter(GetParam()));
  const auto real = Arrange(Fixture(step().page));
  EXPECT_EQ(simulated.ordered, real.ordered);
  EXPECT_EQ(simulated.histogram_blocks, real.histogram_blocks);
}

INSTANTIATE_TEST_SUITE_P(Pages01To07, AfterCapturedStep, ::testing::Range<std::size_t>(0, 7));

// Before the restart the real broker kept its histogram order, so the whole page must match
// line for line.
TEST(PageFidelity, SeriesComeInTheRealOrderUntilTheRestart) {
  for (std::size_t last = 0; last < 6; ++last) {
    const std::string page = CapturedSteps()[last].page;
    EXPECT_EQ(SeriesOf(Lines(SimulatedPageAfter(last))), SeriesOf(Lines(Fixture(page)))) << page;
  }
}

TEST(PageFidelity, RestartStartsTheWallclockAgain) {
  FakeClock clock;
  Cluster cluster(testing::CapturedNodeScenario(), clock);
  clock.Advance(Millis(121'595));
  testing::ApplyAll(cluster, {"restart"});
  clock.Advance(Millis(6'130));

  EXPECT_EQ(cluster.model(0).Value("system_wallclock"), 6'130u);
}

}  // namespace
}  // namespace vmq::sim
