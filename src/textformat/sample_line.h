#ifndef VMQ_TEXTFORMAT_SAMPLE_LINE_H_
#define VMQ_TEXTFORMAT_SAMPLE_LINE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "textformat/line_failure.h"
#include "textformat/line_scan.h"
#include "textformat/page_bits.h"
#include "textformat/parser.h"

namespace vmq::textformat::detail {

// A bit chosen by a non-empty label name's length, first and last byte: the names of a real
// page's lines (node, mqtt_version, reason_code, group, le, ...) each get their own.
inline uint64_t NameBit(std::string_view name) {
  return uint64_t{1} << ((name.size() * 7 + static_cast<unsigned char>(name.front()) +
                          3 * static_cast<unsigned char>(name.back())) &
                         63);
}

// Parses `name[{labels}] value [timestamp]` lines. One instance serves a whole page so that
// its label vector and unescape buffer are allocated once, not per sample.
class SampleLineParser {
 public:
  explicit SampleLineParser(const ParseLimits& limits);

  // `line` has no line terminator and starts with the metric name; `scan` is what
  // ScanLine found in it (only its flags are used), `padded` as in scan.h. On success
  // `sample` (all but its line number) is filled in; its views are valid until the next call.
  std::optional<LineFailure> Parse(std::string_view line, const LineScan& scan, bool padded,
                                   Sample& sample);

  // The two ways Parse reads a line, public for the test that holds them to each other.
  // ReadsCanonicalLine accepts only `name{a="x",b="y"} value` and `name value` exactly as
  // exporters write them (no blanks elsewhere, no trailing comma, no timestamp, no escapes or
  // non-ASCII bytes, which the caller rules out with ScanLine, on a padded line), and fills in
  // `sample` as ParseAnyLine would; it returns false on anything else, leaving the line to
  // ParseAnyLine, the one that knows the whole grammar and every error.
  bool ReadsCanonicalLine(std::string_view line, Sample& sample);
  // ReadsCanonicalLine for the line [begin, end) of bits.page(), found with the chunk's class
  // bits instead of block scans: the whole line in the loaded chunk, no rare byte in it (the
  // caller's check), and also declining a metric name with ':'. It needs no padding. Defined
  // in page_bits_readers.h, so that the page loop inlines it.
  inline bool ReadsCanonicalLine(const PageBits& bits, size_t begin, size_t end, Sample& sample);
  std::optional<LineFailure> ParseAnyLine(std::string_view line, const LineScan& scan, bool padded,
                                          Sample& sample);

 private:
  void Reset();
  std::optional<LineFailure> ParseLabelSet(std::string_view line, size_t& pos);
  std::optional<LineFailure> ParseLabel(std::string_view line, size_t& pos);
  std::optional<LineFailure> ParseLabelValue(std::string_view line, size_t& pos,
                                             std::string_view& value);
  std::optional<LineFailure> UnescapeLabelValue(std::string_view line, size_t begin, size_t& pos,
                                                std::string_view& value);
  std::optional<LineFailure> ParseValueAndTimestamp(std::string_view line, size_t& pos,
                                                    Sample& sample);

  size_t max_labels_;
  bool line_has_backslash_ = false;  // else no label value of the line has an escape
  bool line_has_non_ascii_ = false;  // else every label value of the line is valid UTF-8
  bool line_padded_ = false;
  std::vector<Label> labels_;
  // The labels read by the page-bits reader: a fixed array, no size and capacity to keep up
  // to date per label; a line with more goes to the general parser.
  std::array<Label, 16> fast_labels_;
  // NameBit of every name in labels_: a name whose bit is not set cannot be a duplicate, so
  // nearly every label skips the comparison with the others (a loop whose length varies from
  // line to line, which the branch predictor gets wrong).
  uint64_t label_name_bits_ = 0;
  // Holds the unescaped label values of the current line. It is sized for the whole line
  // before the first value is written, so it never reallocates under views already given out.
  std::string scratch_;
};

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_SAMPLE_LINE_H_
