// The runtime on hostile pages: what a page cannot make the exporter count, keep or log.
// Fake clock, hand-made pages, the real select -> window -> evaluate -> render path.

#include "app/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/http.h"
#include "common/log.h"
#include "config/config.h"

namespace vmq::app {
namespace {

constexpr Millis kInterval{5000};
constexpr char kTwoTargets[] =
    "targets:\n  - name: a\n    url: http://a:8888/metrics\n"
    "  - name: b\n    url: http://b:8888/metrics\n";

// The sum of every sample of the signal families (vmq_pubcomp_*): what the exporter claims
// happened.
double SumOfWindowGauges(const std::string& page) {
  std::istringstream lines(page);
  std::string line;
  double sum = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("vmq_pubcomp_", 0) != 0) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

std::string Page(const std::string& series_lines, uint64_t uptime_ms) {
  return "vernemq_mqtt_publish_error{node=\"n\",mqtt_version=\"4\"} 0\n"
         "vernemq_system_wallclock{node=\"n\"} " +
         std::to_string(uptime_ms) + "\n" + series_lines;
}

class RuntimeTest : public ::testing::Test {
 protected:
  explicit RuntimeTest(const std::string& extra_config = "")
      : runtime_(config::LoadString(kTwoTargets + extra_config, "c.yaml"), clock_, logger_,
                 {"test", "test"}) {}

  void Poll(const std::string& target, const std::string& series_lines) {
    poll::PollResult result;
    result.http_status = 200;
    result.body = Page(series_lines, uptime_ms_);
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult(target, std::move(result));
  }

  // `count` polls of target a, 5 s apart, all with the same page.
  void PollTimes(int count, const std::string& series_lines) {
    for (int i = 0; i < count; ++i) {
      clock_.Advance(kInterval);
      uptime_ms_ += kInterval.count();
      Poll("a", series_lines);
    }
  }

  std::string MetricsPage() const { return runtime_.page().Current()->metrics_text; }
  double SelfMetric(const std::string& name, const std::string& target = "a") const {
    return testing::SampleValue(MetricsPage(), name + "{target=\"" + target + "\"}");
  }

  FakeClock clock_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kWarn, LogFormat::kLogfmt};
  Runtime runtime_;
  uint64_t uptime_ms_ = 1'000'000;
};

TEST_F(RuntimeTest, CountsNothingForASeriesThatAppearsTwiceWithDifferentValues) {
  // Read as one series, 1 and 3 alternate and invent an increase on every poll.
  PollTimes(10,
            "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 1\n"
            "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 3\n");
  EXPECT_EQ(SumOfWindowGauges(MetricsPage()), 0);
  EXPECT_EQ(SelfMetric("vmq_target_page_duplicate_series_total"), 10);
  EXPECT_EQ(CountOf(log_.str(), "appear more than once"), 1u) << log_.str();
}

TEST_F(RuntimeTest, LogsADuplicateWithAHugeLabelValueShortened) {
  const std::string line =
      "vernemq_mqtt_pubcomp_received{node=\"n\",mqtt_version=\"5\",reason_code=\"" +
      std::string(40 * 1024, 'r') + "\"} 1\n";
  PollTimes(1, line + line);
  EXPECT_EQ(CountOf(log_.str(), "appear more than once"), 1u);
  EXPECT_LT(log_.str().size(), 1024u) << log_.str().size();
}

TEST_F(RuntimeTest, UsesASeriesAgainOnceItIsNoLongerDuplicated) {
  const std::string once = "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 7\n";
  PollTimes(2, once);
  PollTimes(3, once + once);
  PollTimes(1, "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 9\n");
  EXPECT_EQ(SumOfWindowGauges(MetricsPage()), 2 * 2);  // 7 -> 9 in the 1m and the 5m window
}

TEST_F(RuntimeTest, CountsNothingForLabelValuesThatDifferOnlyByAnEscape) {
  PollTimes(10,
            "vernemq_mqtt_pubcomp_received{node=\"n\",mqtt_version=\"5\",reason_code=\"x\\ny\"} "
            "1\n"
            "vernemq_mqtt_pubcomp_received{node=\"n\",mqtt_version=\"5\",reason_code=\"xny\"} 5\n");
  EXPECT_EQ(SumOfWindowGauges(MetricsPage()), 0);
  EXPECT_EQ(SelfMetric("vmq_target_tracked_series"), 2);
  EXPECT_EQ(SelfMetric("vmq_target_page_duplicate_series_total"), 0);
}

TEST_F(RuntimeTest, RejectsCountersAboveTwoToThe53InsteadOfRoundingThem) {
  PollTimes(3,
            "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 9007199254740993\n"
            "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"5\"} "
            "18446744073709551616\n");
  EXPECT_EQ(SumOfWindowGauges(MetricsPage()), 0);
  EXPECT_EQ(SelfMetric("vmq_target_page_rejected_values_total"), 6);
  EXPECT_EQ(SelfMetric("vmq_target_tracked_series"), 0);
}

TEST_F(RuntimeTest, NeverServesALabelValueThatIsNotUtf8) {
  PollTimes(
      2, "vernemq_mqtt_pubcomp_received{node=\"n\",mqtt_version=\"5\",reason_code=\"\xff\"} 1\n");
  EXPECT_EQ(MetricsPage().find('\xff'), std::string::npos);
  EXPECT_EQ(SelfMetric("vmq_target_page_bad_lines_total"), 2);
}

class RuntimeSeriesBytesTest : public RuntimeTest {
 protected:
  RuntimeSeriesBytesTest() : RuntimeTest("poll:\n  max_series_bytes: 4096\n") {}
};

TEST_F(RuntimeSeriesBytesTest, StopsTrackingNewSeriesAtTheByteCapAndLogsItOnce) {
  // 20 series of ~1 KB identity each; about 1 fits in 4096 bytes (key counted twice).
  std::string lines;
  for (int i = 0; i < 20; ++i) {
    lines += "vernemq_mqtt_pubcomp_received{node=\"n\",mqtt_version=\"5\",reason_code=\"" +
             std::string(500, static_cast<char>('a' + i)) + "\"} 1\n";
  }
  PollTimes(5, lines);
  const double tracked = SelfMetric("vmq_target_tracked_series");
  EXPECT_GE(tracked, 1);
  EXPECT_LE(tracked, 4);
  EXPECT_EQ(SelfMetric("vmq_target_dropped_series_total"), 5 * (20 - tracked));
  EXPECT_EQ(CountOf(log_.str(), "not tracking new series"), 1u) << log_.str();
  EXPECT_LT(MetricsPage().size(), 64u * 1024);
}

TEST_F(RuntimeTest, PublishesTheLastPollOfEveryTargetWhenPollsFinishTogether) {
  // Two targets polled from two threads at once, 200 polls each, scraped meanwhile: the page
  // must end up showing every poll of both.
  constexpr int kPolls = 200;
  auto polls = [&](const std::string& target) {
    for (int i = 0; i < kPolls; ++i) {
      Poll(target, "vernemq_mqtt_pubcomp_invalid_error{node=\"n\",mqtt_version=\"4\"} 0\n");
    }
  };
  std::thread a(polls, "a");
  std::thread b(polls, "b");
  for (int i = 0; i < 50; ++i) MetricsPage();
  a.join();
  b.join();
  EXPECT_EQ(SelfMetric("vmq_target_polls_total", "a"), kPolls);
  EXPECT_EQ(SelfMetric("vmq_target_polls_total", "b"), kPolls);
}

}  // namespace
}  // namespace vmq::app
