#include "textformat/parser.h"

#include <utility>

#include "textformat/comment_line.h"
#include "textformat/line_failure.h"
#include "textformat/line_scan.h"
#include "textformat/sample_line.h"
#include "textformat/scan.h"

namespace vmq::textformat {
namespace {

// Walks a page line by line and sends each line to the parser for its kind.
class PageParser {
 public:
  PageParser(Handler& handler, const ParseLimits& limits)
      : handler_(handler), limits_(limits), samples_(limits) {}

  // Flattened, like the line parsers: the cursors stay in registers.
  [[gnu::flatten]] ParseStats Run(std::string_view page) {
    size_t start = 0;
    while (start < page.size()) {
      const detail::LineScan scan = detail::ScanLine(page, start);
      std::string_view line = page.substr(start, scan.end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const bool padded = page.size() - (start + line.size()) >= detail::kLinePadding;
      start = scan.end + 1;
      ++stats_.lines;
      if (auto failure = ParseLine(line, scan, padded)) Record(*failure);
    }
    return std::move(stats_);
  }

 private:
  std::optional<detail::LineFailure> ParseLine(std::string_view line, const detail::LineScan& scan,
                                               bool padded) {
    if (line.size() > limits_.max_line_bytes) {
      return detail::LineFailure::OverLimit("line too long", limits_.max_line_bytes);
    }
    if (scan.has_nul) return detail::LineFailure("NUL byte in line");
    size_t first = 0;
    detail::SkipBlanks(line, first);
    if (first == line.size()) return std::nullopt;
    line.remove_prefix(first);
    if (line.front() == '#') {
      return detail::ParseCommentLine(line, scan.has_backslash, padded, handler_, help_scratch_);
    }
    if (auto failure = samples_.Parse(line, scan, padded, sample_)) return failure;
    sample_.line = stats_.lines;
    ++stats_.samples;
    handler_.OnSample(sample_);
    return std::nullopt;
  }

  [[gnu::noinline]] void Record(const detail::LineFailure& failure) {
    ++stats_.bad_lines;
    if (stats_.errors.size() < ParseStats::kMaxRecordedErrors) {
      stats_.errors.push_back({stats_.lines, detail::Describe(failure)});
    }
  }

  Handler& handler_;
  const ParseLimits& limits_;
  detail::SampleLineParser samples_;
  Sample sample_;
  std::string help_scratch_;
  ParseStats stats_;
};

}  // namespace

ParseStats Parse(std::string_view page, Handler& handler, const ParseLimits& limits) {
  return PageParser(handler, limits).Run(page);
}

}  // namespace vmq::textformat
