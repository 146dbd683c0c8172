#ifndef VMQ_TEXTFORMAT_PAGE_BITS_READERS_H_
#define VMQ_TEXTFORMAT_PAGE_BITS_READERS_H_

// The fast paths of the page-bits way (page_bits.h) for the two kinds of line a real page is
// made of, inline so that the page loop (parser.cc, its only user) has them in one function,
// with the page's cursors in registers. Declared in sample_line.h and comment_line.h.

#include <bit>
#include <cstring>

#include "textformat/comment_line.h"
#include "textformat/number.h"
#include "textformat/page_bits.h"
#include "textformat/sample_line.h"
#include "textformat/scan.h"

namespace vmq::textformat::detail {

// The steps of ReadsCanonicalLine(line, sample) (sample_line.cc), each token's end found by
// one window of class bits (a load and a shift) and a count of trailing zeros instead of a
// loop over 16-byte blocks whose exit depends on the token's length.
[[VMQ_PAGE_BITS_TARGET]] inline bool SampleLineParser::ReadsCanonicalLine(const PageBits& bits,
                                                                          size_t begin, size_t end,
                                                                          Sample& sample) {
  constexpr size_t kMaxName = PageBits::kWindowBytes - 1;  // names in one window; longer decline
  label_name_bits_ = 0;
  size_t count = 0;  // labels in fast_labels_
  const char* const line = bits.page().data() + begin;
  const size_t length = end - begin;
  if (!HasClass(line[0], kNameStart)) return false;
  // The byte at `length` is a '\r', '\n' or past the page: not a name byte.
  size_t pos = static_cast<size_t>(TrailingZeros(bits.Window<ByteClass::kNonName>(begin)));
  if (pos > kMaxName || pos + 1 >= length) return false;
  sample.name = std::string_view(line, pos);
  if (line[pos] == '{') {
    ++pos;
    while (true) {
      if (pos >= length || !HasClass(line[pos], kNameStart)) return false;
      const size_t name_begin = pos;
      pos += static_cast<size_t>(TrailingZeros(bits.Window<ByteClass::kNonName>(begin + pos)));
      if (pos - name_begin > kMaxName || pos + 1 >= length || line[pos] != '=' ||
          line[pos + 1] != '"') {
        return false;
      }
      const std::string_view name(line + name_begin, pos - name_begin);
      const uint64_t name_bit = NameBit(name);
      if ((label_name_bits_ & name_bit) != 0) {
        for (size_t i = 0; i < count; ++i) {
          if (fast_labels_[i].name == name) return false;
        }
      }
      const size_t value_begin = pos + 2;
      pos = bits.Find<ByteClass::kQuote>(begin + value_begin, end) - begin;
      if (pos >= length || count >= max_labels_ || count >= fast_labels_.size()) return false;
      fast_labels_[count++] = {name, std::string_view(line + value_begin, pos - value_begin)};
      label_name_bits_ |= name_bit;
      ++pos;
      if (pos >= length) return false;
      if (line[pos] == '}') break;
      if (line[pos] != ',') return false;
      ++pos;
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
  sample.labels = std::span<const Label>(fast_labels_.data(), count);
  sample.timestamp_ms.reset();
  return true;
}

inline bool SameBytes(const char* at, std::string_view expected) {
  return std::memcmp(at, expected.data(), expected.size()) == 0;
}

// Each step is what ParseHelp and ParseType do on the same bytes, minus what cannot occur here.
[[VMQ_PAGE_BITS_TARGET]] inline bool ReadsCanonicalComment(const PageBits& bits, size_t begin,
                                                           size_t end, Handler& handler) {
  const char* const data = bits.page().data();
  const size_t name_begin = begin + 7;  // past `# HELP ` or `# TYPE `
  if (end <= name_begin || data[begin + 1] != ' ' || data[begin + 6] != ' ' ||
      !HasClass(data[name_begin], kNameStart)) {
    return false;
  }
  const size_t name_end = bits.NameEnd(name_begin + 1);
  const std::string_view name(data + name_begin, name_end - name_begin);
  if (SameBytes(data + begin + 2, "HELP")) {
    if (name_end == end) {
      handler.OnHelp(name, {});
      return true;
    }
    if (!IsBlank(data[name_end])) return false;
    size_t text = name_end + 1;
    while (text < end && IsBlank(data[text])) ++text;
    handler.OnHelp(name, std::string_view(data + text, end - text));
    return true;
  }
  if (!SameBytes(data + begin + 2, "TYPE") || name_end == end || data[name_end] != ' ') {
    return false;
  }
  const std::optional<MetricType> type =
      TypeFromName(std::string_view(data + name_end + 1, end - name_end - 1));
  if (!type) return false;
  handler.OnType(name, *type);
  return true;
}

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_PAGE_BITS_READERS_H_
