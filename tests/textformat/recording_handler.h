#ifndef VMQ_TESTS_TEXTFORMAT_RECORDING_HANDLER_H_
#define VMQ_TESTS_TEXTFORMAT_RECORDING_HANDLER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
    RecordedSample& recorded = samples.emplace_back();
    recorded.name = sample.name;
    for (const Label& label : sample.labels) recorded.labels.emplace_back(label.name, label.value);
    recorded.value = sample.value;
    recorded.integer = sample.integer;
    recorded.timestamp_ms = sample.timestamp_ms;
    recorded.line = sample.line;
  }
  void OnType(std::string_view metric_name, MetricType type) override {
    types[std::string(metric_name)] = type;
  }
  void OnHelp(std::string_view metric_name, std::string_view text) override {
    helps[std::string(metric_name)] = std::string(text);
  }

  std::vector<std::string> SampleNames() const {
    std::vector<std::string> names;
    for (const RecordedSample& sample : samples) names.push_back(sample.name);
    return names;
  }

  std::vector<RecordedSample> samples;
  std::map<std::string, MetricType> types;
  std::map<std::string, std::string> helps;
};

// Parses `page` with default limits into a fresh RecordingHandler.
struct ParsedPage {
  ParseStats stats;
  RecordingHandler handler;
};

inline ParsedPage ParsePage(std::string_view page, const ParseLimits& limits = {}) {
  ParsedPage parsed;
  parsed.stats = Parse(page, parsed.handler, limits);
  return parsed;
}

}  // namespace vmq::textformat::testing

#endif  // VMQ_TESTS_TEXTFORMAT_RECORDING_HANDLER_H_
