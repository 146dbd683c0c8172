#ifndef VMQ_TEXTFORMAT_SCAN_H_
#define VMQ_TEXTFORMAT_SCAN_H_

// Character classes and token scanners shared by the line parsers. They work on a cursor
// (`pos`) into one line and never read past its end, whatever the bytes are.

#include <array>
#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vmq::textformat::detail {

enum CharClass : unsigned char {
  kNameStart = 1,  // [a-zA-Z_]
  kColon = 2,      // ':' is allowed in metric names only
  kDigit = 4,
  kBlank = 8,  // space or tab
};

constexpr std::array<unsigned char, 256> MakeCharClasses() {
  std::array<unsigned char, 256> classes{};
  for (int c = 'a'; c <= 'z'; ++c) classes[c] = kNameStart;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] = kNameStart;
  classes['_'] = kNameStart;
  classes[':'] = kColon;
  for (int c = '0'; c <= '9'; ++c) classes[c] = kDigit;
  classes[' '] = kBlank;
  classes['\t'] = kBlank;
  return classes;
}

inline constexpr std::array<unsigned char, 256> kCharClasses = MakeCharClasses();

inline bool HasClass(char c, unsigned char mask) {
  return (kCharClasses[static_cast<unsigned char>(c)] & mask) != 0;
}

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Tokens are mostly separated by exactly one blank or none, so the loop is kept off the
// straight path.
inline void SkipBlanks(std::string_view line, size_t& pos) {
  if (pos < line.size() && IsBlank(line[pos])) [[unlikely]] {
    do {
      ++pos;
    } while (pos < line.size() && IsBlank(line[pos]));
  }
}

#if defined(__SSE2__)
// Bit i is set when byte i of the 16 at `p` is in [a-zA-Z0-9_], or also ':' with `colon`:
// the classes kNameStart | kDigit (| kColon) of the table, 16 bytes at a time.
inline unsigned NameBytes(const char* p, bool colon) {
  const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // x < n, unsigned, is min(x, n - 1) == x. ':' is the byte after '9'.
  const __m128i letter = _mm_sub_epi8(_mm_or_si128(block, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
  const __m128i is_letter = _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(25)), letter);
  const __m128i digit = _mm_sub_epi8(block, _mm_set1_epi8('0'));
  const __m128i is_digit =
      _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(static_cast<char>(colon ? 10 : 9))), digit);
  const __m128i is_underscore = _mm_cmpeq_epi8(block, _mm_set1_epi8('_'));
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(is_letter, is_digit), is_underscore)));
}
#endif

// Returns the longest name at `pos`: a first character in kNameStart (| kColon with `colon`)
// followed by any of kNameStart | kDigit (| kColon); empty when there is none. Advances `pos`
// past it.
inline std::string_view ScanName(std::string_view line, size_t& pos, bool colon) {
  const unsigned char start = colon ? kNameStart | kColon : kNameStart;
  const unsigned char body = start | kDigit;
  const size_t begin = pos;
  if (pos >= line.size() || !HasClass(line[pos], start)) return {};
  ++pos;
#if defined(__SSE2__)
  for (; line.size() - pos >= 16; pos += 16) {
    const unsigned others = ~NameBytes(line.data() + pos, colon) & 0xffff;
    if (others != 0) {
      pos += static_cast<unsigned>(__builtin_ctz(others));
      return line.substr(begin, pos - begin);
    }
  }
#endif
  while (pos < line.size() && HasClass(line[pos], body)) ++pos;
  return line.substr(begin, pos - begin);
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
inline std::string_view ScanMetricName(std::string_view line, size_t& pos) {
  return ScanName(line, pos, true);
}

// [a-zA-Z_][a-zA-Z0-9_]*
inline std::string_view ScanLabelName(std::string_view line, size_t& pos) {
  return ScanName(line, pos, false);
}

// The index of the first `byte` at or after `pos`, or line.size() when there is none.
inline size_t FindByte(std::string_view line, size_t pos, char byte) {
#if defined(__SSE2__)
  const __m128i wanted = _mm_set1_epi8(byte);
  for (; line.size() - pos >= 16; pos += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + pos));
    const auto found = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, wanted)));
    if (found != 0) return pos + static_cast<unsigned>(__builtin_ctz(found));
  }
#endif
  while (pos < line.size() && line[pos] != byte) ++pos;
  return pos;
}

// Everything up to the next blank or the end of the line.
inline std::string_view ScanUntilBlank(std::string_view line, size_t& pos) {
  const size_t begin = pos;
  while (pos < line.size() && !HasClass(line[pos], kBlank)) ++pos;
  return line.substr(begin, pos - begin);
}

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_SCAN_H_
