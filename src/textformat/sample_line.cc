#include "textformat/sample_line.h"

#include "textformat/number.h"
#include "textformat/scan.h"
#include "textformat/utf8.h"

namespace vmq::textformat::detail {
namespace {

constexpr size_t kInitialLabelCapacity = 16;

LineFailure UnterminatedLabelSet(std::string_view line, size_t brace) {
  return LineFailure("unterminated label set", line.substr(brace));
}

// The bytes from `begin` up to the next blank, to show where a token went wrong.
std::string_view TokenAt(std::string_view line, size_t begin) {
  size_t end = begin;
  return ScanUntilBlank(line, end, false);
}

}  // namespace

SampleLineParser::SampleLineParser(const ParseLimits& limits)
    : max_labels_(limits.max_labels_per_sample) {
  labels_.reserve(kInitialLabelCapacity);
}

void SampleLineParser::Reset() {
  labels_.clear();
  label_name_bits_ = 0;
  scratch_.clear();
}

std::optional<LineFailure> SampleLineParser::Parse(std::string_view line, const LineScan& scan,
                                                   bool padded, Sample& sample) {
  if (padded && !scan.has_backslash && !scan.has_non_ascii && ReadsCanonicalLine(line, sample)) {
    return std::nullopt;
  }
  return ParseAnyLine(line, scan, padded, sample);
}

// Each step below is what ParseAnyLine does on the same bytes, minus the blanks, escapes and
// errors it cannot meet here.
[[gnu::flatten]] bool SampleLineParser::ReadsCanonicalLine(std::string_view line, Sample& sample) {
  Reset();
  size_t pos = 0;
  sample.name = ScanMetricName(line, pos, true);
  if (sample.name.empty() || pos + 1 >= line.size()) return false;
  if (line[pos] == '{') {
    ++pos;
    while (true) {
      const std::string_view name = ScanLabelName(line, pos, true);
      if (name.empty() || pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') {
        return false;
      }
      const uint64_t name_bit = NameBit(name);
      if ((label_name_bits_ & name_bit) != 0) {
        for (const Label& label : labels_) {
          if (label.name == name) return false;
        }
      }
      const size_t value_begin = pos + 2;
      pos = FindByte(line, value_begin, '"', true);
      if (pos >= line.size() || labels_.size() >= max_labels_) return false;
      labels_.push_back({name, Slice(line, value_begin, pos)});
      label_name_bits_ |= name_bit;
      ++pos;
      if (pos >= line.size()) return false;
      if (line[pos] == '}') break;
      if (line[pos] != ',') return false;
      ++pos;
    }
    ++pos;
  }
  // One space, then a value token that runs to the end of the line.
  if (pos + 1 >= line.size() || line[pos] != ' ' || IsBlank(line[pos + 1]) ||
      line[pos + 1] == '{') {
    return false;
  }
  ++pos;
  const std::string_view value_token = ScanUntilBlank(line, pos, true);
  if (pos != line.size() || !ParseSampleValue(value_token, sample.value, sample.integer)) {
    return false;
  }
  sample.labels = labels_;
  sample.timestamp_ms.reset();
  return true;
}

// Flattened: the cursor its helpers share by reference then lives in a register.
[[gnu::flatten]] std::optional<LineFailure> SampleLineParser::ParseAnyLine(std::string_view line,
                                                                           const LineScan& scan,
                                                                           bool padded,
                                                                           Sample& sample) {
  Reset();
  line_has_backslash_ = scan.has_backslash;
  line_has_non_ascii_ = scan.has_non_ascii;
  line_padded_ = padded;
  size_t pos = 0;
  sample.name = ScanMetricName(line, pos, padded);
  const bool name_ends_cleanly =
      pos == line.size() || line[pos] == '{' || HasClass(line[pos], kBlank);
  if (sample.name.empty() || !name_ends_cleanly) {
    return LineFailure("invalid metric name", TokenAt(line, 0));
  }
  SkipBlanks(line, pos);
  if (pos < line.size() && line[pos] == '{') {
    if (auto failure = ParseLabelSet(line, pos)) return failure;
  }
  sample.labels = labels_;
  return ParseValueAndTimestamp(line, pos, sample);
}

std::optional<LineFailure> SampleLineParser::ParseLabelSet(std::string_view line, size_t& pos) {
  const size_t brace = pos++;
  while (true) {
    SkipBlanks(line, pos);
    if (pos >= line.size()) return UnterminatedLabelSet(line, brace);
    if (line[pos] == '}') break;  // empty set, or a trailing comma
    if (auto failure = ParseLabel(line, pos)) return failure;
    SkipBlanks(line, pos);
    if (pos >= line.size()) return UnterminatedLabelSet(line, brace);
    if (line[pos] == '}') break;
    if (line[pos] != ',') {
      return LineFailure("expected ',' or '}' after label value", TokenAt(line, pos));
    }
    ++pos;
  }
  ++pos;
  return std::nullopt;
}

std::optional<LineFailure> SampleLineParser::ParseLabel(std::string_view line, size_t& pos) {
  const size_t name_begin = pos;
  const std::string_view name = ScanLabelName(line, pos, line_padded_);
  const bool name_ends_cleanly =
      pos == line.size() || line[pos] == '=' || HasClass(line[pos], kBlank);
  if (name.empty() || !name_ends_cleanly) {
    return LineFailure("invalid label name", TokenAt(line, name_begin));
  }
  const uint64_t name_bit = NameBit(name);
  if ((label_name_bits_ & name_bit) != 0) {
    for (const Label& label : labels_) {
      if (label.name == name) return LineFailure("duplicate label name", name);
    }
  }
  SkipBlanks(line, pos);
  if (pos >= line.size()) return LineFailure("unterminated label set", line.substr(name_begin));
  if (line[pos] != '=') return LineFailure("expected '=' after label name", TokenAt(line, pos));
  ++pos;
  SkipBlanks(line, pos);
  if (pos >= line.size()) return LineFailure("unterminated label set", line.substr(name_begin));
  if (line[pos] != '"') {
    return LineFailure("expected '\"' to open label value", TokenAt(line, pos));
  }
  ++pos;
  std::string_view value;
  if (auto failure = ParseLabelValue(line, pos, value)) return failure;
  if (line_has_non_ascii_ && !IsValidUtf8(value))
    return LineFailure("label value is not valid UTF-8", name);
  if (labels_.size() >= max_labels_) return LineFailure::OverLimit("too many labels", max_labels_);
  labels_.push_back({name, value});
  label_name_bits_ |= name_bit;
  return std::nullopt;
}

// `pos` is just past the opening quote. The common case, a value without escapes, is
// handed out as a view into the page.
std::optional<LineFailure> SampleLineParser::ParseLabelValue(std::string_view line, size_t& pos,
                                                             std::string_view& value) {
  const size_t begin = pos;
  if (!line_has_backslash_) {
    pos = FindByte(line, pos, '"', line_padded_);
    if (pos < line.size()) {
      value = Slice(line, begin, pos);
      ++pos;
      return std::nullopt;
    }
    return LineFailure("unterminated label value", line.substr(begin - 1));
  }
  for (; pos < line.size(); ++pos) {
    if (line[pos] == '"') {
      value = line.substr(begin, pos - begin);
      ++pos;
      return std::nullopt;
    }
    if (line[pos] == '\\') return UnescapeLabelValue(line, begin, pos, value);
  }
  return LineFailure("unterminated label value", line.substr(begin - 1));
}

[[gnu::noinline]] std::optional<LineFailure> SampleLineParser::UnescapeLabelValue(
    std::string_view line, size_t begin, size_t& pos, std::string_view& value) {
  // All unescaped values of a line together are shorter than the line.
  if (scratch_.capacity() < line.size()) scratch_.reserve(line.size());
  const size_t out_begin = scratch_.size();
  scratch_.append(line.substr(begin, pos - begin));
  while (pos < line.size()) {
    const char c = line[pos];
    if (c == '"') {
      value = std::string_view(scratch_).substr(out_begin);
      ++pos;
      return std::nullopt;
    }
    if (c != '\\') {
      scratch_.push_back(c);
      ++pos;
      continue;
    }
    if (pos + 1 >= line.size()) break;
    switch (line[pos + 1]) {
      case '\\':
        scratch_.push_back('\\');
        break;
      case '"':
        scratch_.push_back('"');
        break;
      case 'n':
        scratch_.push_back('\n');
        break;
      default:
        return LineFailure("invalid escape sequence in label value", line.substr(pos, 2));
    }
    pos += 2;
  }
  return LineFailure("unterminated label value", line.substr(begin - 1));
}

std::optional<LineFailure> SampleLineParser::ParseValueAndTimestamp(std::string_view line,
                                                                    size_t& pos, Sample& sample) {
  SkipBlanks(line, pos);
  const std::string_view value_token = ScanUntilBlank(line, pos, line_padded_);
  if (value_token.empty()) return LineFailure("missing value", line);
  if (!ParseSampleValue(value_token, sample.value, sample.integer)) {
    return LineFailure("invalid value", value_token);
  }
  sample.timestamp_ms.reset();
  SkipBlanks(line, pos);
  if (pos == line.size()) return std::nullopt;
  const std::string_view timestamp_token = ScanUntilBlank(line, pos, line_padded_);
  sample.timestamp_ms = ParseTimestamp(timestamp_token);
  if (!sample.timestamp_ms) return LineFailure("invalid timestamp", timestamp_token);
  SkipBlanks(line, pos);
  if (pos != line.size()) {
    return LineFailure("unexpected text after timestamp", line.substr(pos));
  }
  return std::nullopt;
}

}  // namespace vmq::textformat::detail
