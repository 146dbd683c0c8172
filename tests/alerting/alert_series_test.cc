// What an alert counts per series: the alert signal's window count grouped by node and MQTT
// version, as the generated rules' `sum by (..., node, mqtt_version)` does.

#include "alerting/alert_series.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "evaluate/target_evaluator.h"
#include "window/target_history.h"

namespace vmq::alerting {

// Readable failure messages instead of the object's bytes.
void PrintTo(const AlertSeries& series, std::ostream* out) {
  *out << "{" << series.node << ", " << series.mqtt_version << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr Millis kMinute{60'000};
constexpr Millis kFiveMinutes{300'000};
constexpr char kNode[] = "VerneMQ@10.0.0.1";

const config::Signal& SignalNamed(const std::vector<config::Signal>& signals,
                                  const std::string& name) {
  for (const config::Signal& signal : signals) {
    if (signal.name == name) return signal;
  }
  throw std::runtime_error("no signal " + name);
}

// One target: series, and a history that saw a baseline of zeros and then one poll.
class AlertSeriesTest : public ::testing::Test {
 protected:
  // A series whose counter goes from 0 to `value` in the one poll after the baseline.
  void Add(std::string source, signals::LabelPairs labels, uint64_t value) {
    signals::RawSeries raw{"", std::move(source), std::move(labels), value};
    raw.key = raw.source;
    for (const auto& [name, label] : raw.labels) raw.key += "|" + name + "=" + label;
    series_.emplace(raw.key, raw);
  }

  // Every series at 0 at `start_`, then at its value `after` later.
  void Poll(Millis after) {
    std::vector<window::Observation> zeros;
    std::vector<window::Observation> later;
    for (const auto& [key, raw] : series_) {
      zeros.push_back({key, 0});
      later.push_back({key, raw.value});
    }
    history_.RecordSuccess(start_, std::nullopt, zeros);
    now_ = start_ + after;
    history_.RecordSuccess(now_, std::nullopt, later);
  }

  // What the evaluate stage makes of series_ and history_ at now_, for `signals`.
  evaluate::TargetValues Evaluate(const std::vector<config::Signal>& signals) const {
    const std::vector<config::Window> windows = {{"1m", kMinute}, {"5m", kFiveMinutes}};
    evaluate::TargetEvaluator evaluator(signals, windows);
    evaluator.SetPageNode(kNode);
    for (const auto& [key, raw] : series_) evaluator.Track(raw);
    return evaluator.Evaluate(history_, now_);
  }

  // The counts of one of the default signals (they keep mqtt_version).
  std::map<AlertSeries, uint64_t> Count(const std::string& signal, Millis window = kMinute) const {
    size_t index = 0;
    while (signals_[index].name != signal) ++index;
    return Exact(CountSignal(Evaluate(signals_).signals[index], window == kMinute ? 0 : 1, true));
  }

  static std::map<AlertSeries, uint64_t> Exact(const SeriesCounts& counts) {
    std::map<AlertSeries, uint64_t> exact;
    for (const auto& [series, count] : counts) {
      EXPECT_TRUE(count.is_count());
      exact[series] = count.count();
    }
    return exact;
  }

  std::vector<config::Signal> signals_ = config::DefaultSignals();
  std::map<std::string, signals::RawSeries> series_;
  window::TargetHistory history_{{kMinute, kFiveMinutes}, Millis(9000)};
  MonoTime start_{std::chrono::hours(1)};
  MonoTime now_ = start_;
};

TEST_F(AlertSeriesTest, CountsPerNodeAndVersion) {
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", "VerneMQ@a"}}, 6);
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "5"}, {"node", "VerneMQ@a"}}, 2);
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", "VerneMQ@b"}}, 1);
  Poll(Millis(5000));
  EXPECT_THAT(
      Count("vmq_pubcomp_unexpected_received"),
      ElementsAre(Pair(AlertSeries{"VerneMQ@a", "4"}, 6u), Pair(AlertSeries{"VerneMQ@a", "5"}, 2u),
                  Pair(AlertSeries{"VerneMQ@b", "4"}, 1u)));
}

TEST_F(AlertSeriesTest, AddsUpSeriesThatDifferOnlyInOtherLabels) {
  Add("mqtt_pubcomp_received", {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "a"}}, 3);
  Add("mqtt_pubcomp_received", {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "b"}}, 4);
  Poll(Millis(5000));
  EXPECT_THAT(Count("vmq_pubcomp_received_unsuccessful"),
              ElementsAre(Pair(AlertSeries{kNode, "5"}, 7u)));
}

TEST_F(AlertSeriesTest, CountsOnlySeriesThatFeedTheSignal) {
  Add("mqtt_pubcomp_sent", {{"mqtt_version", "4"}, {"node", kNode}}, 10);
  Add("mqtt_pubcomp_sent", {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "success"}},
      20);
  Add("mqtt_pubcomp_sent",
      {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "packet_id_not_found"}}, 2);
  Poll(Millis(5000));
  EXPECT_THAT(Count("vmq_pubcomp_sent_unsuccessful"),
              ElementsAre(Pair(AlertSeries{kNode, "5"}, 2u)));
}

TEST_F(AlertSeriesTest, LeavesVersionEmptyWhenTheSignalDoesNotKeepIt) {
  config::Signal all_versions = SignalNamed(signals_, "vmq_pubcomp_unexpected_received");
  all_versions.keep_labels.clear();
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", kNode}}, 1);
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "5"}, {"node", kNode}}, 2);
  Poll(Millis(5000));
  EXPECT_THAT(Exact(CountSignal(Evaluate({all_versions}).signals[0], 0, false)),
              ElementsAre(Pair(AlertSeries{kNode, ""}, 3u)));
}

TEST_F(AlertSeriesTest, NamesSeriesWithoutNodeLabelAfterThePage) {
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}}, 6);
  Poll(Millis(5000));
  EXPECT_THAT(Count("vmq_pubcomp_unexpected_received"),
              ElementsAre(Pair(AlertSeries{kNode, "4"}, 6u)));
}

TEST_F(AlertSeriesTest, CountsOnlyInsideTheWindow) {
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", kNode}}, 6);
  Poll(Millis(5000));
  now_ += kMinute;  // the increase is now older than one minute, not than five
  EXPECT_THAT(Count("vmq_pubcomp_unexpected_received", kMinute),
              ElementsAre(Pair(AlertSeries{kNode, "4"}, 0u)));
  EXPECT_THAT(Count("vmq_pubcomp_unexpected_received", kFiveMinutes),
              ElementsAre(Pair(AlertSeries{kNode, "4"}, 6u)));
}

TEST_F(AlertSeriesTest, CountAlertSignalsFollowsTheRulesOverTheAlertWindow) {
  config::Config config;
  config.windows = {{"1m", kMinute}, {"5m", kFiveMinutes}};
  config.signals = signals_;
  config.alerts.window = config.windows[1];
  config.alerts.rules = config::DefaultAlertRules("5m");
  Add("mqtt_pubcomp_invalid_error", {{"mqtt_version", "4"}, {"node", kNode}}, 6);
  Add("mqtt_pubcomp_sent",
      {{"mqtt_version", "5"}, {"node", kNode}, {"reason_code", "packet_id_not_found"}}, 2);
  Poll(Millis(5000));
  now_ += kMinute;
  const std::vector<SeriesCounts> counts =
      CountAlertSignals(PlanAlerts(config), Evaluate(signals_));
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_THAT(Exact(counts[0]), ElementsAre(Pair(AlertSeries{kNode, "4"}, 6u)));  // unexpected
  EXPECT_THAT(Exact(counts[1]), ElementsAre());  // received_unsuccessful
  EXPECT_THAT(Exact(counts[2]),
              ElementsAre(Pair(AlertSeries{kNode, "5"}, 2u)));  // sent_unsuccessful
}

}  // namespace
}  // namespace vmq::alerting
