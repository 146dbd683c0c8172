#ifndef VMQ_TESTS_TEXTFORMAT_RECORDING_HANDLER_H_
#define VMQ_TESTS_TEXTFORMAT_RECORDING_HANDLER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "textformat/parse_path.h"
#include "textformat/parser.h"

namespace vmq::textformat::testing {

// A sample copied out of the parser's views, so that tests can look at it after parsing.
struct RecordedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  std::optional<uint64_t> integer;
  std::optional<int64_t> timestamp_ms;
  size_t line = 0;
};

class RecordingHandler : public Handler {
 public:
  void OnSample(const Sample& sample) override {
    std::string event = "sample " + std::to_string(sample.line) + " " + std::string(sample.name);
    for (const Label& label : sample.labels) {
      event += " " + std::string(label.name) + "=" + std::string(label.value);
    }
    event += " " + std::to_string(sample.value) + " " +
             (sample.integer ? std::to_string(*sample.integer) : "-") + " " +
             (sample.timestamp_ms ? std::to_string(*sample.timestamp_ms) : "-");
    events.push_back(std::move(event));
    RecordedSample& recorded = samples.emplace_back();
    recorded.name = sample.name;
    for (const Label& label : sample.labels) recorded.labels.emplace_back(label.name, label.value);
    recorded.value = sample.value;
    recorded.integer = sample.integer;
    recorded.timestamp_ms = sample.timestamp_ms;
    recorded.line = sample.line;
  }
  void OnType(std::string_view metric_name, MetricType type) override {
    events.push_back("type " + std::string(metric_name) + " " +
                     std::to_string(static_cast<int>(type)));
    types[std::string(metric_name)] = type;
  }
  void OnHelp(std::string_view metric_name, std::string_view text) override {
    events.push_back("help " + std::string(metric_name) + " " + std::string(text));
    helps[std::string(metric_name)] = std::string(text);
  }

  std::vector<std::string> SampleNames() const {
    std::vector<std::string> names;
    for (const RecordedSample& sample : samples) names.push_back(sample.name);
    return names;
  }

  // Every call in order, as text: what the parser's two paths are compared on.
  std::vector<std::string> events;
  std::vector<RecordedSample> samples;
  std::map<std::string, MetricType> types;
  std::map<std::string, std::string> helps;
};

// Parses `page` with default limits into a fresh RecordingHandler.
struct ParsedPage {
  ParseStats stats;
  RecordingHandler handler;
};

inline ParsedPage ParseWith(detail::ParsePath path, std::string_view page,
                            const ParseLimits& limits = {}) {
  ParsedPage parsed;
  parsed.stats = detail::ParseWith(path, page, parsed.handler, limits);
  return parsed;
}

inline std::vector<std::string> DescribeErrors(const ParseStats& stats) {
  std::vector<std::string> errors;
  for (const LineError& error : stats.errors) {
    errors.push_back(std::to_string(error.line) + ": " + error.message);
  }
  return errors;
}

// Both ways of reading a page (detail::ParsePath) give the same calls and statistics.
inline void ExpectSamePaths(const ParsedPage& by_line, const ParsedPage& page_bits) {
  EXPECT_EQ(by_line.handler.events, page_bits.handler.events);
  EXPECT_EQ(by_line.stats.lines, page_bits.stats.lines);
  EXPECT_EQ(by_line.stats.samples, page_bits.stats.samples);
  EXPECT_EQ(by_line.stats.bad_lines, page_bits.stats.bad_lines);
  EXPECT_EQ(DescribeErrors(by_line.stats), DescribeErrors(page_bits.stats));
}

// Parses `page` with Parse into a fresh RecordingHandler, and checks on the way that the
// parser's two paths agree on it, so that every parser test holds for both.
inline ParsedPage ParsePage(std::string_view page, const ParseLimits& limits = {}) {
  ParsedPage parsed;
  parsed.stats = Parse(page, parsed.handler, limits);
  ExpectSamePaths(ParseWith(detail::ParsePath::kByLine, page, limits),
                  ParseWith(detail::ParsePath::kPageBits, page, limits));
  return parsed;
}

}  // namespace vmq::textformat::testing

#endif  // VMQ_TESTS_TEXTFORMAT_RECORDING_HANDLER_H_
