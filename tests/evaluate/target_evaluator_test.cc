// The evaluate stage: which raw series feed which output series, how they are grouped, the
// node fallback and the sums per window, on a hand-fed history.

#include "evaluate/target_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmq::evaluate {
namespace {

using ::testing::ElementsAre;

constexpr Millis kMinute{60'000};
constexpr Millis kFiveMinutes{300'000};
constexpr char kNode[] = "VerneMQ@10.0.0.1";

signals::RawSeries Series(std::string source, signals::LabelPairs labels, uint64_t value) {
  signals::RawSeries series{"", std::move(source), std::move(labels), value};
  series.key = series.source;
  for (const auto& [name, label] : series.labels) series.key += "|" + name + "=" + label;
  return series;
}

size_t SignalIndex(const std::vector<config::Signal>& signals, const std::string& name) {
  for (size_t i = 0; i < signals.size(); ++i) {
    if (signals[i].name == name) return i;
  }
  ADD_FAILURE() << "no signal " << name;
  return 0;
}

class TargetEvaluatorTest : public ::testing::Test {
 protected:
  // A baseline of zeros at start_, then every series at its value `after` later.
  void Poll(const std::vector<signals::RawSeries>& page, Millis after = Millis(5000)) {
    std::vector<window::Observation> zeros;
    std::vector<window::Observation> values;
    for (const auto& series : page) {
      evaluator_.Track(series);
      zeros.push_back({series.key, 0});
      values.push_back({series.key, series.value});
    }
    history_.RecordSuccess(start_, std::nullopt, zeros);
    now_ = start_ + after;
    history_.RecordSuccess(now_, std::nullopt, values);
  }

  const SignalValues& Signal(const TargetValues& values, const std::string& name) const {
    return values.signals[SignalIndex(signals_, name)];
  }

  static std::vector<uint64_t> Counts(const OutputSeries& series) {
    std::vector<uint64_t> counts;
    for (const Number& value : series.values) {
      EXPECT_TRUE(value.is_count());
      counts.push_back(value.count());
    }
    return counts;
  }

  std::vector<config::Signal> signals_ = config::DefaultSignals();
  std::vector<config::Window> windows_ = {{"1m", kMinute}, {"5m", kFiveMinutes}};
  TargetEvaluator evaluator_{signals_, windows_};
  window::TargetHistory history_{{kMinute, kFiveMinutes}, Millis(9000)};
  MonoTime start_{std::chrono::hours(1)};
  MonoTime now_ = start_;
};

TEST_F(TargetEvaluatorTest, GivesEverySignalAnEntryAndEveryOutputAValuePerWindow) {
  Poll({Series("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", kNode}}, 3)});
  const TargetValues values = evaluator_.Evaluate(history_, now_);
  ASSERT_EQ(values.signals.size(), signals_.size());
  const SignalValues& unexpected = Signal(values, "vmq_pubcomp_unexpected_received");
  ASSERT_EQ(unexpected.series.size(), 1u);
  EXPECT_THAT(unexpected.series[0].labels,
              ElementsAre(std::pair<std::string, std::string>("node", kNode),
                          std::pair<std::string, std::string>("mqtt_version", "4")));
  EXPECT_THAT(Counts(unexpected.series[0]), ElementsAre(3u, 3u));
  EXPECT_TRUE(Signal(values, "vmq_pubcomp_sent_unsuccessful").series.empty());
  EXPECT_THAT(values.coverage, ElementsAre(5000.0 / 60000, 5000.0 / 300000));
  EXPECT_THAT(values.uncovered_seconds, ElementsAre(55.0, 295.0));
}

TEST_F(TargetEvaluatorTest, SumsRawSeriesThatDifferOnlyInLabelsTheSignalDoesNotKeep) {
  Poll({Series("mqtt_pubcomp_received",
               {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "packet_id_not_found"}}, 4),
        Series("mqtt_pubcomp_received",
               {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "other"}}, 5),
        Series("mqtt_pubcomp_received",
               {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "success"}}, 100)});
  const TargetValues values = evaluator_.Evaluate(history_, now_);
  const SignalValues& unsuccessful = Signal(values, "vmq_pubcomp_received_unsuccessful");
  ASSERT_EQ(unsuccessful.series.size(), 1u);
  EXPECT_THAT(Counts(unsuccessful.series[0]), ElementsAre(9u, 9u));
  // The per-reason signal keeps reason_code: three outputs.
  EXPECT_EQ(Signal(values, "vmq_pubcomp_received").series.size(), 3u);
}

TEST_F(TargetEvaluatorTest, NamesSeriesWithoutNodeLabelAfterThePageAndFollowsItsChanges) {
  evaluator_.SetPageNode("VerneMQ@a");
  Poll({Series("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}}, 2)});
  const auto node_of = [&] {
    const TargetValues values = evaluator_.Evaluate(history_, now_);
    return std::string(signals::LabelValue(
        Signal(values, "vmq_pubcomp_unexpected_received").series.at(0).labels, "node"));
  };
  EXPECT_EQ(node_of(), "VerneMQ@a");
  evaluator_.SetPageNode("VerneMQ@b");
  EXPECT_EQ(node_of(), "VerneMQ@b");
}

TEST_F(TargetEvaluatorTest, MergesASeriesWithoutNodeLabelIntoTheSameNodesOutput) {
  evaluator_.SetPageNode(kNode);
  Poll({Series("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}}, 2),
        Series("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", kNode}}, 3)});
  const TargetValues values = evaluator_.Evaluate(history_, now_);
  const SignalValues& unexpected = Signal(values, "vmq_pubcomp_unexpected_received");
  ASSERT_EQ(unexpected.series.size(), 1u);
  EXPECT_THAT(Counts(unexpected.series[0]), ElementsAre(5u, 5u));
}

TEST_F(TargetEvaluatorTest, CountsEachWindowOnItsOwn) {
  Poll({Series("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", kNode}}, 6)});
  const TargetValues later = evaluator_.Evaluate(history_, now_ + kMinute);
  EXPECT_THAT(Counts(Signal(later, "vmq_pubcomp_unexpected_received").series.at(0)),
              ElementsAre(0u, 6u));
}

TEST_F(TargetEvaluatorTest, StaysExactAboveTwoToThe53WhenSummed) {
  const uint64_t big = (uint64_t{1} << 53) - 1;
  Poll({Series("mqtt_pubcomp_received",
               {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "a"}}, big),
        Series("mqtt_pubcomp_received",
               {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "b"}}, big)});
  const TargetValues values = evaluator_.Evaluate(history_, now_);
  EXPECT_THAT(Counts(Signal(values, "vmq_pubcomp_received_unsuccessful").series.at(0)),
              ElementsAre(2 * big, 2 * big));
}

TEST(Number, StaysACountUntilARealIsAdded) {
  Number sum = Number::Count(2);
  sum += Number::Count(3);
  EXPECT_TRUE(sum.is_count());
  EXPECT_EQ(sum.count(), 5u);
  EXPECT_TRUE(sum.Exceeds(4));
  EXPECT_FALSE(sum.Exceeds(5));
  sum += Number::Real(0.5);
  EXPECT_FALSE(sum.is_count());
  EXPECT_DOUBLE_EQ(sum.AsDouble(), 5.5);
  EXPECT_TRUE(sum.Exceeds(5));
}

}  // namespace
}  // namespace vmq::evaluate
