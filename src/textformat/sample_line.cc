#include "textformat/sample_line.h"

#include <bit>

#include "textformat/number.h"
#include "textformat/scan.h"
#include "textformat/utf8.h"

namespace vmq::textformat::detail {
namespace {

constexpr size_t kInitialLabelCapacity = 16;

LineFailure UnterminatedLabelSet(std::string_view line, size_t brace) {
  return LineFailure("unterminated label set", line.substr(brace));
}

// A bit chosen by a non-empty name's length and first byte.
uint64_t NameBit(std::string_view name) {
  return uint64_t{1} << ((name.size() * 7 + static_cast<unsigned char>(name.front())) & 63);
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

// The steps of the one above, found on the class bits of the line: the label values are
// the line's quotes taken in pairs (no backslash, so none is escaped), and the bytes around
// them are checked, rather than each token being searched for from where the previous one
// ended (a chain of dependent loads and shifts per token).
[[gnu::flatten, VMQ_PAGE_BITS_TARGET]] bool SampleLineParser::ReadsCanonicalLine(
    const PageBits& bits, size_t begin, size_t end, Sample& sample) {
  constexpr size_t kMaxLine = 127;  // the quotes in one 128-bit word; longer lines decline
  Reset();
  const char* const line = bits.page().data() + begin;
  const size_t length = end - begin;
  if (length > kMaxLine || !HasClass(line[0], kNameStart)) return false;
  // The byte at `length` is a '\r', '\n' or past the page: not a name byte.
  size_t pos = static_cast<size_t>(std::countr_zero(bits.Window<&ByteClassWord::non_name>(begin)));
  if (pos + 1 >= length) return false;
  sample.name = std::string_view(line, pos);
  if (line[pos] == '{') {
    Bits128 quotes =
        bits.Window128<&ByteClassWord::quote>(begin) & ((static_cast<Bits128>(1) << length) - 1);
    size_t name_begin = pos + 1;
    while (true) {
      const size_t open = CountTrailingZeros128(quotes);
      quotes &= quotes - 1;
      const size_t close = CountTrailingZeros128(quotes);
      quotes &= quotes - 1;
      // `name="value"`: the name runs from name_begin up to the '=' before the first quote.
      if (close >= length || open < name_begin + 2 || line[open - 1] != '=' ||
          !HasClass(line[name_begin], kNameStart)) {
        return false;
      }
      const size_t name_length = open - 1 - name_begin;
      if (name_length >= 64) return false;
      const uint64_t others = bits.Window<&ByteClassWord::non_name>(begin + name_begin) &
                              ((uint64_t{1} << name_length) - 1);
      if (others != 0) return false;
      const std::string_view name(line + name_begin, name_length);
      const uint64_t name_bit = NameBit(name);
      if ((label_name_bits_ & name_bit) != 0) {
        for (const Label& label : labels_) {
          if (label.name == name) return false;
        }
      }
      if (labels_.size() >= max_labels_) return false;
      labels_.push_back({name, std::string_view(line + open + 1, close - open - 1)});
      label_name_bits_ |= name_bit;
      pos = close + 1;
      if (pos >= length) return false;
      if (line[pos] == '}') break;
      if (line[pos] != ',') return false;
      name_begin = pos + 1;
    }
    ++pos;
  }
  if (pos + 1 >= length || line[pos] != ' ' || IsBlank(line[pos + 1]) || line[pos + 1] == '{') {
    return false;
  }
  ++pos;
  // The value runs to the end of the line: a token with a blank in it is no number, so
  // ParseSampleValue refuses it (and the general parser finds the timestamp or the error).
  const std::string_view value_token(line + pos, length - pos);
  const bool in_word = bits.page().size() - (begin + pos) >= 8;
  if (!(in_word ? ParseSampleValueInWord(value_token, sample.value, sample.integer)
                : ParseSampleValue(value_token, sample.value, sample.integer))) {
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
