#include "config/config.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fixtures.h"

namespace vmq::config {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kMinimal[] = "targets:\n  - url: http://127.0.0.1:8888/metrics\n";

std::string SourcePath(const std::string& relative) {
  return std::string(VMQ_SOURCE_DIR) + "/" + relative;
}

std::vector<std::string> NamesOf(const std::vector<Signal>& signals) {
  std::vector<std::string> names;
  for (const Signal& signal : signals) names.push_back(signal.name);
  return names;
}

std::vector<std::string> TextsOf(const std::vector<Window>& windows) {
  std::vector<std::string> texts;
  for (const Window& window : windows) texts.push_back(window.text);
  return texts;
}

const Signal& Find(const std::vector<Signal>& signals, const std::string& name) {
  const auto it = std::find_if(signals.begin(), signals.end(),
                               [&](const Signal& signal) { return signal.name == name; });
  if (it == signals.end()) throw std::runtime_error("no signal " + name);
  return *it;
}

TEST(LoadFile, AcceptsShippedConfig) {
  const Config config = LoadFile(SourcePath("config.yaml"));
  ASSERT_EQ(config.targets.size(), 1u);
  EXPECT_EQ(config.targets[0].url.host, "127.0.0.1");
  EXPECT_EQ(config.targets[0].url.port, 8888);
  EXPECT_EQ(config.targets[0].url.path, "/metrics");
  EXPECT_EQ(config.poll.interval, seconds(5));
  EXPECT_EQ(config.poll.timeout, seconds(4));
  EXPECT_THAT(TextsOf(config.windows), ElementsAre("1m", "5m"));
  EXPECT_EQ(NamesOf(config.signals), NamesOf(DefaultSignals()));
  EXPECT_EQ(config.file, SourcePath("config.yaml"));
}

TEST(LoadFile, AcceptsSiblingsExample) {
  const Config config = LoadFile(SourcePath("examples/siblings.yaml"));
  const std::vector<std::string> names = NamesOf(config.signals);
  for (const char* name : {"vmq_pubrec_unexpected_received", "vmq_puback_unexpected_received",
                           "vmq_pubrec_received_unsuccessful", "vmq_pubrec_sent_unsuccessful",
                           "vmq_pubrel_received_unsuccessful", "vmq_pubrel_sent_unsuccessful",
                           "vmq_puback_received_unsuccessful", "vmq_puback_sent_unsuccessful"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_EQ(Find(config.signals, "vmq_pubrec_unexpected_received").source,
            "mqtt_pubrec_invalid_error");
  EXPECT_EQ(Find(config.signals, "vmq_pubcomp_received").source, "mqtt_pubcomp_received");
}

// The example at the end of docs/configuration.md, so that the documentation cannot drift from
// what the loader accepts.
TEST(LoadString, AcceptsCompleteExampleFromDocs) {
  std::string docs;
  ASSERT_TRUE(vmq::testing::ReadFile(SourcePath("docs/configuration.md"), &docs));
  const size_t section = docs.find("## Complete example");
  ASSERT_NE(section, std::string::npos);
  const size_t start = docs.find("```yaml\n", section);
  ASSERT_NE(start, std::string::npos);
  const size_t body = start + std::string("```yaml\n").size();
  const size_t end = docs.find("```", body);
  ASSERT_NE(end, std::string::npos);
  const Config config = LoadString(docs.substr(body, end - body), "configuration.md");
  EXPECT_EQ(config.targets.size(), 2u);
  EXPECT_EQ(config.poll.interval, seconds(10));
  EXPECT_THAT(TextsOf(config.windows), ElementsAre("1m", "5m", "1h"));
  EXPECT_EQ(config.signals.size(), DefaultSignals().size() + 1);
}

TEST(LoadFile, ReportsUnreadableFileAtLineZero) {
  try {
    LoadFile("/nonexistent/config.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(),
                 "/nonexistent/config.yaml:0:0: cannot read: No such file or directory");
  }
}

TEST(LoadFile, ReportsDirectory) {
  try {
    LoadFile(SourcePath("src/config"));
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.message(), "cannot read: it is a directory");
  }
}

TEST(ConfigError, KeepsItsParts) {
  const ConfigError error("c.yaml", 3, 7, "bad thing");
  EXPECT_STREQ(error.what(), "c.yaml:3:7: bad thing");
  EXPECT_EQ(error.file(), "c.yaml");
  EXPECT_EQ(error.line(), 3);
  EXPECT_EQ(error.column(), 7);
  EXPECT_EQ(error.message(), "bad thing");
}

TEST(LoadString, FillsDefaultsForOmittedSections) {
  const Config config = LoadString(kMinimal, "c.yaml");
  EXPECT_EQ(config.file, "c.yaml");
  EXPECT_EQ(config.poll.interval, seconds(5));
  EXPECT_EQ(config.poll.timeout, seconds(4));
  EXPECT_EQ(config.poll.max_body_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(config.poll.max_series_bytes, 256u * 1024);
  ASSERT_EQ(config.windows.size(), 2u);
  EXPECT_EQ(config.windows[0].text, "1m");
  EXPECT_EQ(config.windows[0].length, minutes(1));
  EXPECT_EQ(config.windows[1].text, "5m");
  EXPECT_EQ(config.windows[1].length, minutes(5));
  EXPECT_EQ(NamesOf(config.signals), NamesOf(DefaultSignals()));
}

TEST(LoadString, TreatsEmptyOptionalSectionsAsDefaults) {
  const Config config = LoadString(std::string(kMinimal) + "poll:\nwindows:\nsignals:\n", "c.yaml");
  EXPECT_EQ(config.poll.interval, seconds(5));
  EXPECT_THAT(TextsOf(config.windows), ElementsAre("1m", "5m"));
  EXPECT_EQ(config.signals.size(), DefaultSignals().size());
}

TEST(LoadString, AcceptsDocumentMarkers) {
  EXPECT_EQ(LoadString(std::string("---\n") + kMinimal + "---\n", "c.yaml").targets.size(), 1u);
}

TEST(LoadString, ReadsPollSettings) {
  const Config config = LoadString(std::string(kMinimal) +
                                       "poll:\n  interval: 1500ms\n  timeout: 1s\n"
                                       "  max_body_bytes: 1024\n  max_series_bytes: 2048\n",
                                   "c.yaml");
  EXPECT_EQ(config.poll.interval, Millis(1500));
  EXPECT_EQ(config.poll.timeout, seconds(1));
  EXPECT_EQ(config.poll.max_body_bytes, 1024u);
  EXPECT_EQ(config.poll.max_series_bytes, 2048u);
}

TEST(LoadString, NamesTargetsAfterHostAndPortByDefault) {
  const Config config = LoadString(
      "targets:\n"
      "  - url: http://10.0.0.7:8888/metrics\n"
      "  - url: https://vmq.example.com/metrics\n"
      "  - url: http://[::1]:8888\n"
      "  - url: http://10.0.0.8:8888/metrics\n"
      "    name: VerneMQ@10.0.0.8\n",
      "c.yaml");
  ASSERT_EQ(config.targets.size(), 4u);
  EXPECT_EQ(config.targets[0].name, "10.0.0.7:8888");
  EXPECT_EQ(config.targets[1].name, "vmq.example.com:443");
  EXPECT_EQ(config.targets[2].name, "::1:8888");
  EXPECT_EQ(config.targets[2].url.path, "/metrics");
  EXPECT_EQ(config.targets[3].name, "VerneMQ@10.0.0.8");
}

TEST(LoadString, SortsWindowsByLengthKeepingTheirText) {
  const Config config = LoadString(std::string(kMinimal) + "windows: [5m, 60s, 90s, 1h]\n", "c");
  EXPECT_THAT(TextsOf(config.windows), ElementsAre("60s", "90s", "5m", "1h"));
  EXPECT_EQ(config.windows[1].length, seconds(90));
}

TEST(LoadString, AcceptsWindowOfExactlyTwoIntervals) {
  const Config config = LoadString(
      std::string(kMinimal) + "poll: {interval: 30s, timeout: 10s}\nwindows: [1m]\n", "c");
  EXPECT_THAT(TextsOf(config.windows), ElementsAre("1m"));
}

TEST(LoadString, ConfiguredSignalReplacesBuiltInOfSameName) {
  const Config config = LoadString(std::string(kMinimal) +
                                       "signals:\n"
                                       "  - name: vmq_pubcomp_received\n"
                                       "    help: All PUBCOMPs.\n"
                                       "    source: mqtt_pubcomp_received\n"
                                       "    keep_labels: []\n",
                                   "c");
  EXPECT_EQ(NamesOf(config.signals), NamesOf(DefaultSignals()));
  const Signal& replaced = Find(config.signals, "vmq_pubcomp_received");
  EXPECT_EQ(replaced.help, "All PUBCOMPs.");
  EXPECT_THAT(replaced.keep_labels, IsEmpty());
}

TEST(LoadString, ConfiguredSignalWithNewNameIsAddedAfterBuiltIns) {
  const Config config = LoadString(std::string(kMinimal) +
                                       "signals:\n"
                                       "  - name: vmq_puback_unexpected_received\n"
                                       "    help: Unexpected PUBACKs.\n"
                                       "    source: mqtt_puback_invalid_error\n",
                                   "c");
  ASSERT_EQ(config.signals.size(), DefaultSignals().size() + 1);
  const Signal& added = config.signals.back();
  EXPECT_EQ(added.name, "vmq_puback_unexpected_received");
  EXPECT_EQ(added.source, "mqtt_puback_invalid_error");
  EXPECT_THAT(added.keep_labels, ElementsAre("mqtt_version"));
  EXPECT_THAT(added.include, IsEmpty());
  EXPECT_THAT(added.exclude, IsEmpty());
}

TEST(LoadString, CompilesIncludeAndExcludeAsFullMatches) {
  const Config config = LoadString(std::string(kMinimal) +
                                       "signals:\n"
                                       "  - name: x\n"
                                       "    help: x\n"
                                       "    source: mqtt_puback_sent\n"
                                       "    include: {reason_code: 'not_.*', mqtt_version: '5'}\n"
                                       "    exclude: {reason_code: not_authorized}\n",
                                   "c");
  const Signal& signal = config.signals.back();
  ASSERT_EQ(signal.include.size(), 2u);
  EXPECT_EQ(signal.include[0].label, "reason_code");
  EXPECT_EQ(signal.include[0].pattern, "not_.*");
  EXPECT_TRUE(signal.include[0].Matches("not_authorized"));
  EXPECT_FALSE(signal.include[0].Matches("is_not_authorized"));
  EXPECT_EQ(signal.include[1].label, "mqtt_version");
  ASSERT_EQ(signal.exclude.size(), 1u);
  EXPECT_TRUE(signal.exclude[0].Matches("not_authorized"));
  EXPECT_FALSE(signal.exclude[0].Matches("not_authorized_at_all"));
}

TEST(DefaultSignals, CoverThePubcompFamily) {
  const std::vector<Signal> signals = DefaultSignals();
  EXPECT_THAT(NamesOf(signals),
              ElementsAre("vmq_pubcomp_unexpected_received", "vmq_pubcomp_received",
                          "vmq_pubcomp_received_unsuccessful", "vmq_pubcomp_sent",
                          "vmq_pubcomp_sent_unsuccessful"));
  EXPECT_EQ(signals[0].source, "mqtt_pubcomp_invalid_error");
  EXPECT_EQ(signals[1].source, "mqtt_pubcomp_received");
  EXPECT_EQ(signals[2].source, "mqtt_pubcomp_received");
  EXPECT_EQ(signals[3].source, "mqtt_pubcomp_sent");
  EXPECT_EQ(signals[4].source, "mqtt_pubcomp_sent");
  EXPECT_THAT(signals[0].keep_labels, ElementsAre("mqtt_version"));
  EXPECT_THAT(signals[1].keep_labels, ElementsAre("mqtt_version", "reason_code"));
  EXPECT_THAT(signals[2].keep_labels, ElementsAre("mqtt_version"));
  EXPECT_THAT(signals[3].keep_labels, ElementsAre("mqtt_version", "reason_code"));
  EXPECT_THAT(signals[4].keep_labels, ElementsAre("mqtt_version"));
  for (const Signal& signal : signals) {
    EXPECT_NE(signal.help.find("window"), std::string::npos) << signal.name;
  }
}

TEST(DefaultSignals, UnsuccessfulOnesSkipV4SeriesAndSuccess) {
  for (const Signal& signal : DefaultSignals()) {
    if (signal.name.find("unsuccessful") == std::string::npos) {
      EXPECT_THAT(signal.include, IsEmpty()) << signal.name;
      EXPECT_THAT(signal.exclude, IsEmpty()) << signal.name;
      continue;
    }
    ASSERT_EQ(signal.include.size(), 1u);
    ASSERT_EQ(signal.exclude.size(), 1u);
    EXPECT_EQ(signal.include[0].label, "reason_code");
    EXPECT_FALSE(signal.include[0].Matches(""));  // MQTT 3.1.1: no reason_code label
    EXPECT_TRUE(signal.include[0].Matches("packet_id_not_found"));
    EXPECT_EQ(signal.exclude[0].label, "reason_code");
    EXPECT_TRUE(signal.exclude[0].Matches("success"));
    EXPECT_FALSE(signal.exclude[0].Matches("packet_id_not_found"));
  }
}

}  // namespace
}  // namespace vmq::config
