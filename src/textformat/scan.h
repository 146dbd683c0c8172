#ifndef VMQ_TEXTFORMAT_SCAN_H_
#define VMQ_TEXTFORMAT_SCAN_H_

// Character classes and token scanners shared by the line parsers. They work on a cursor
// (`pos`) into one line and never look past its end, whatever the bytes are. Given `padded`
// (at least kLinePadding readable bytes follow the line in memory: true of every line of a
// page but the last few) and SSE2, the longer scans read whole 16-byte blocks, which may
// reach past the line but never past those bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vmq::textformat::detail {

inline constexpr size_t kLinePadding = 16;  // one block

// line[begin, end) without substr's range check (callers have their indices from scanning).
inline std::string_view Slice(std::string_view line, size_t begin, size_t end) {
  return std::string_view(line.data() + begin, end - begin);
}

#if defined(__SSE2__)
inline __m128i LoadBlock(std::string_view line, size_t pos) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + pos));
}

// The first position at or after `pos` (< line.size()) where `stops(block)` has a bit set,
// kBlocks 16-byte blocks a round, or line.size() when there is none within the line.
template <int kBlocks, typename Stops>
size_t FindInBlocks(std::string_view line, size_t pos, Stops stops) {
  static_assert(kBlocks * 16 <= kLinePadding);
  while (true) {
    uint64_t found = 0;
    for (int i = 0; i < kBlocks; ++i) {
      found |= static_cast<uint64_t>(stops(LoadBlock(line, pos + 16 * i))) << (16 * i);
    }
    if (found != 0) {
      pos += static_cast<unsigned>(__builtin_ctzll(found));
      return pos < line.size() ? pos : line.size();
    }
    pos += 16 * kBlocks;
    if (pos >= line.size()) return line.size();
  }
}
#endif

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
// Bit i is set when byte i of `block` is in [a-zA-Z0-9_], or also ':' with `colon`: the
// classes kNameStart | kDigit (| kColon) of the table, 16 bytes at a time.
inline unsigned NameBytes(__m128i block, bool colon) {
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
inline std::string_view ScanName(std::string_view line, size_t& pos, bool colon, bool padded) {
  const unsigned char start = colon ? kNameStart | kColon : kNameStart;
  const size_t begin = pos;
  if (pos >= line.size() || !HasClass(line[pos], start)) return {};
  ++pos;
#if defined(__SSE2__)
  if (padded) {
    if (pos < line.size()) {
      pos = FindInBlocks<1>(line, pos,
                            [colon](__m128i block) { return ~NameBytes(block, colon) & 0xffff; });
    }
    return Slice(line, begin, pos);
  }
#else
  static_cast<void>(padded);
#endif
  while (pos < line.size() && HasClass(line[pos], start | kDigit)) ++pos;
  return Slice(line, begin, pos);
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
inline std::string_view ScanMetricName(std::string_view line, size_t& pos, bool padded) {
  return ScanName(line, pos, true, padded);
}

// [a-zA-Z_][a-zA-Z0-9_]*
inline std::string_view ScanLabelName(std::string_view line, size_t& pos, bool padded) {
  return ScanName(line, pos, false, padded);
}

// The index of the first `byte` at or after `pos`, or line.size() when there is none.
inline size_t FindByte(std::string_view line, size_t pos, char byte, bool padded) {
#if defined(__SSE2__)
  if (padded) {
    if (pos >= line.size()) return line.size();
    const __m128i wanted = _mm_set1_epi8(byte);
    return FindInBlocks<1>(line, pos, [wanted](__m128i block) {
      return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, wanted)));
    });
  }
#else
  static_cast<void>(padded);
#endif
  while (pos < line.size() && line[pos] != byte) ++pos;
  return pos;
}

// Everything up to the next blank or the end of the line.
inline std::string_view ScanUntilBlank(std::string_view line, size_t& pos, bool padded) {
  const size_t begin = pos;
#if defined(__SSE2__)
  if (padded) {
    if (pos < line.size()) {
      pos = FindInBlocks<1>(line, pos, [](__m128i block) {
        const __m128i blanks = _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8(' ')),
                                            _mm_cmpeq_epi8(block, _mm_set1_epi8('\t')));
        return static_cast<unsigned>(_mm_movemask_epi8(blanks));
      });
    }
    return Slice(line, begin, pos);
  }
#else
  static_cast<void>(padded);
#endif
  while (pos < line.size() && !IsBlank(line[pos])) ++pos;
  return Slice(line, begin, pos);
}

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_SCAN_H_
