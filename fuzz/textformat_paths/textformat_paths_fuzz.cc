// Differential: the parser's two ways of reading a page (textformat/parse_path.h: per-line
// scans, and the page-at-once class bits that Parse takes where the CPU has AVX2 and BMI2)
// must give the same handler calls, in the same order, and the same statistics and error
// messages, whatever the bytes and limits.

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.h"
#include "textformat/parse_path.h"
#include "textformat/parser.h"

namespace {

class LoggingHandler final : public vmq::textformat::Handler {
 public:
  void OnSample(const vmq::textformat::Sample& sample) override {
    std::string event = "s" + std::to_string(sample.line) + " " + std::string(sample.name);
    for (const auto& label : sample.labels) {
      event += " " + std::string(label.name) + "=" + std::string(label.value);
    }
    // The double's bits, so that NaN payloads and -0 are compared too.
    uint64_t bits = 0;
    static_assert(sizeof(bits) == sizeof(sample.value));
    __builtin_memcpy(&bits, &sample.value, sizeof(bits));
    event += " " + std::to_string(bits) + " " +
             (sample.integer ? std::to_string(*sample.integer) : "-") + " " +
             (sample.timestamp_ms ? std::to_string(*sample.timestamp_ms) : "-");
    events.push_back(std::move(event));
  }
  void OnType(std::string_view name, vmq::textformat::MetricType type) override {
    events.push_back("t " + std::string(name) + " " + std::to_string(static_cast<int>(type)));
  }
  void OnHelp(std::string_view name, std::string_view text) override {
    events.push_back("h " + std::string(name) + " " + std::string(text));
  }
  std::vector<std::string> events;
};

std::vector<std::string> Run(vmq::textformat::detail::ParsePath path, std::string_view page,
                             const vmq::textformat::ParseLimits& limits) {
  LoggingHandler handler;
  const auto stats = vmq::textformat::detail::ParseWith(path, page, handler, limits);
  handler.events.push_back("stats " + std::to_string(stats.lines) + " " +
                           std::to_string(stats.samples) + " " + std::to_string(stats.bad_lines));
  for (const auto& error : stats.errors) {
    handler.events.push_back("e" + std::to_string(error.line) + " " + error.message);
  }
  return handler.events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vmq::textformat::detail::ParsePath;
  // The first byte, when there is one, picks the limits, so that they are fuzzed too.
  vmq::textformat::ParseLimits limits;
  std::string_view page(reinterpret_cast<const char*>(data), size);
  if (size > 0 && data[0] < 0x20 && data[0] != '\n') {
    limits.max_labels_per_sample = data[0] % 4;
    limits.max_line_bytes = 40 + 16 * (data[0] / 4);
    page.remove_prefix(1);
  }
  VMQ_FUZZ_CHECK(Run(ParsePath::kByLine, page, limits) == Run(ParsePath::kPageBits, page, limits));
  return 0;
}
