#include "textformat/parser.h"

#include <utility>

#include "textformat/comment_line.h"
#include "textformat/line_failure.h"
#include "textformat/line_scan.h"
#include "textformat/page_bits.h"
#include "textformat/page_bits_readers.h"
#include "textformat/parse_path.h"
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
  [[gnu::flatten]] ParseStats RunByLine(std::string_view page) {
    size_t start = 0;
    while (start < page.size()) start = ParseLineAt(page, start);
    return std::move(stats_);
  }

  // The same with the class bits of page_bits.h: lines as exporters write them are read by
  // the fast paths, any other line (and any line with a rare byte, or longer than a chunk)
  // as RunByLine reads it.
  [[gnu::flatten, VMQ_PAGE_BITS_TARGET]] ParseStats RunWithBits(std::string_view page) {
    detail::PageBits bits(page);
    const char* const data = page.data();
    size_t start = 0;
    bits.Load(0);
    size_t rare = bits.Find<detail::ByteClass::kRare>(0, bits.limit());
    while (start < page.size()) {
      if (start >= bits.limit()) {
        bits.Load(start & ~size_t{63});
        rare = bits.Find<detail::ByteClass::kRare>(start, bits.limit());
      }
      const size_t newline = FindNewline(bits, start);
      if (newline >= bits.limit()) [[unlikely]] {
        if (bits.base() != (start & ~size_t{63})) {
          bits.Load(start & ~size_t{63});
          rare = bits.Find<detail::ByteClass::kRare>(start, bits.limit());
          continue;
        }
        start = ParseLineAt(page, start);  // longer than a chunk
        continue;
      }
      if (rare < start) rare = bits.Find<detail::ByteClass::kRare>(start, bits.limit());
      size_t end = newline;
      if (end > start && data[end - 1] == '\r') --end;
      if (rare < newline || end - start > limits_.max_line_bytes) [[unlikely]] {
        start = ParseLineAt(page, start);
        continue;
      }
      ++stats_.lines;
      if (start < end && !ReadsCanonicalLine(bits, start, end)) {
        const std::string_view line(data + start, end - start);
        const bool padded = page.size() - end >= detail::kLinePadding;
        if (auto failure = ParseLine(line, detail::LineScan{}, padded)) Record(*failure);
      }
      start = newline + 1;
    }
    return std::move(stats_);
  }

 private:
  // The first '\n' at or after `start`, usually within 128 bytes: found without a branch on
  // whether it is in the first window (half the lines of a real page are longer).
  [[VMQ_PAGE_BITS_TARGET]] static size_t FindNewline(const detail::PageBits& bits, size_t start) {
    const size_t offset = bits.FindNear<detail::ByteClass::kNewline>(start);
    if (offset < 128) [[likely]] {
      return start + offset;
    }
    if (start + 128 >= bits.limit()) return bits.limit();
    return bits.Find<detail::ByteClass::kNewline>(start + 128, bits.limit());
  }

  // Reads the line at `start` the per-line way; returns where the next line starts.
  size_t ParseLineAt(std::string_view page, size_t start) {
    const detail::LineScan scan = detail::ScanLine(page, start);
    std::string_view line = page.substr(start, scan.end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool padded = page.size() - (start + line.size()) >= detail::kLinePadding;
    ++stats_.lines;
    if (auto failure = ParseLine(line, scan, padded)) Record(*failure);
    return scan.end + 1;
  }

  // A sample line or a HELP/TYPE line as exporters write them, read and handed on; false
  // for any other line, which has not been touched then.
  [[VMQ_PAGE_BITS_TARGET]] bool ReadsCanonicalLine(const detail::PageBits& bits, size_t begin,
                                                   size_t end) {
    const char first = bits.page()[begin];
    if (first == '#') return detail::ReadsCanonicalComment(bits, begin, end, handler_);
    if (!samples_.ReadsCanonicalLine(bits, begin, end, sample_)) return false;
    sample_.line = stats_.lines;
    ++stats_.samples;
    handler_.OnSample(sample_);
    return true;
  }

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

namespace detail {

ParseStats ParseWith(ParsePath path, std::string_view page, Handler& handler,
                     const ParseLimits& limits) {
  PageParser parser(handler, limits);
  if (path == ParsePath::kPageBits && CpuHasPageBits()) return parser.RunWithBits(page);
  return parser.RunByLine(page);
}

}  // namespace detail

ParseStats Parse(std::string_view page, Handler& handler, const ParseLimits& limits) {
  return detail::ParseWith(detail::ParsePath::kPageBits, page, handler, limits);
}

}  // namespace vmq::textformat
