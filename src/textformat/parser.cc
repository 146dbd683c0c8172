#include "textformat/parser.h"

#include <cstring>
#include <utility>

#include "textformat/comment_line.h"
#include "textformat/line_failure.h"
#include "textformat/sample_line.h"
#include "textformat/scan.h"

namespace vmq::textformat {
namespace {

// Walks a page line by line and sends each line to the parser for its kind.
class PageParser {
 public:
  PageParser(Handler& handler, const ParseLimits& limits)
      : handler_(handler), limits_(limits), samples_(limits) {}

  ParseStats Run(std::string_view page) {
    size_t start = 0;
    while (start < page.size()) {
      const void* newline = std::memchr(page.data() + start, '\n', page.size() - start);
      const size_t end =
          newline != nullptr ? static_cast<const char*>(newline) - page.data() : page.size();
      std::string_view line = page.substr(start, end - start);
      start = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++stats_.lines;
      if (auto failure = ParseLine(line)) Record(*failure);
    }
    return std::move(stats_);
  }

 private:
  std::optional<detail::LineFailure> ParseLine(std::string_view line) {
    if (line.size() > limits_.max_line_bytes) {
      return detail::LineFailure::OverLimit("line too long", limits_.max_line_bytes);
    }
    if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
      return detail::LineFailure("NUL byte in line");
    }
    size_t first = 0;
    detail::SkipBlanks(line, first);
    if (first == line.size()) return std::nullopt;
    line.remove_prefix(first);
    if (line.front() == '#') return detail::ParseCommentLine(line, handler_, help_scratch_);
    if (auto failure = samples_.Parse(line, sample_)) return failure;
    sample_.line = stats_.lines;
    ++stats_.samples;
    handler_.OnSample(sample_);
    return std::nullopt;
  }

  void Record(const detail::LineFailure& failure) {
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
