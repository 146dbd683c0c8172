#ifndef VMQ_TEXTFORMAT_PARSER_H_
#define VMQ_TEXTFORMAT_PARSER_H_

// A single-pass parser for the Prometheus text exposition format 0.0.4, written for pages
// served by VerneMQ. It depends on nothing else of this project.
//
// Label values must be valid UTF-8 (a line with one that is not is a bad line), so that
// nothing taken from a page can make the exporter's own output invalid.
//
// It is deliberately lenient where real VerneMQ pages break the strict rules:
//  - samples of a family may appear far from (and after other families following) its
//    HELP/TYPE lines (VerneMQ issue #1900: v5 reason_code series);
//  - the page may end without a final newline;
//  - histogram buckets may come `+Inf` first.
// A malformed line is counted, described in ParseStats and skipped; it never stops the
// rest of the page from being read.
//
// No copy of the page is made per sample: names and label values handed to the handler are
// views into the page, except label values that contained escapes, which are unescaped into
// a scratch buffer owned by the parser. Views are valid only during the callback.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmq::textformat {

enum class MetricType { kUntyped, kCounter, kGauge, kHistogram, kSummary };

struct Label {
  std::string_view name;
  std::string_view value;  // unescaped
};

struct Sample {
  std::string_view name;
  std::span<const Label> labels;  // in page order
  double value = 0;               // NaN and +-Inf are accepted
  // The exact value when the literal denotes a non-negative integer that fits in 64 bits
  // (`42`, `4.2e1`), computed from its digits: counters never take a trip through `value`,
  // which is inexact above 2^53.
  std::optional<uint64_t> integer;
  std::optional<int64_t> timestamp_ms;
  size_t line = 0;  // 1-based line number in the page
};

struct LineError {
  size_t line = 0;  // 1-based
  std::string message;
};

struct ParseStats {
  // Only the first kMaxRecordedErrors errors are kept; bad_lines counts all of them.
  static constexpr size_t kMaxRecordedErrors = 16;
  size_t lines = 0;
  size_t samples = 0;
  size_t bad_lines = 0;
  std::vector<LineError> errors;
};

// Receives what the parser finds, in page order.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void OnSample(const Sample& sample) = 0;
  virtual void OnType(std::string_view /*metric_name*/, MetricType /*type*/) {}
  virtual void OnHelp(std::string_view /*metric_name*/, std::string_view /*unescaped_text*/) {}
};

// Limits that keep a hostile page from costing unbounded work per line. A line beyond a
// limit is a bad line.
struct ParseLimits {
  size_t max_labels_per_sample = 64;
  size_t max_line_bytes = 64 * 1024;
};

ParseStats Parse(std::string_view page, Handler& handler, const ParseLimits& limits = {});

}  // namespace vmq::textformat

#endif  // VMQ_TEXTFORMAT_PARSER_H_
