#ifndef VMQ_TEXTFORMAT_LINE_SCAN_H_
#define VMQ_TEXTFORMAT_LINE_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vmq::textformat::detail {

// What one pass over a line learned besides where it ends. The page is read once, 16 bytes
// at a time, and the line parsers use these to skip work: no NUL search, no backslash search
// in HELP text, no escape handling and no UTF-8 validation of label values on lines that
// cannot need them (nearly all lines of a real page).
struct LineScan {
  size_t end = 0;  // index of the '\n' ending the line, or the page size for the last line
  bool has_nul = false;
  bool has_backslash = false;
  bool has_non_ascii = false;  // a byte >= 0x80
};

// Scans the line of `page` that starts at `start` one byte at a time: what ScanLine falls
// back to for a line with a NUL, backslash or non-ASCII byte, for the last 32 bytes of a page
// and where SSE2 is unavailable; also the reference its tests compare it against.
LineScan ScanLineBytewise(std::string_view page, size_t start);

// Scans the line of `page` that starts at `start` (< page.size()). Never reads outside
// `page`. Inline, so that the page loop keeps its cursor in a register.
inline LineScan ScanLine(std::string_view page, size_t start) {
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i zero = _mm_setzero_si128();
  // Bit i of `special` is set when byte i is '\n', NUL, '\\' or >= 0x80 (movemask takes the
  // top bit of each byte); a block without any is all the common case has to test.
  const auto marks_of = [&](size_t at) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(page.data() + at));
    return _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, newline), _mm_cmpeq_epi8(block, zero)),
                        _mm_or_si128(_mm_cmpeq_epi8(block, backslash), block));
  };
  const auto newlines_of = [&](size_t at) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(page.data() + at));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, newline)));
  };
  // 32 bytes a round: lines of a real page are 40 to 130 bytes long.
  size_t pos = start;
  for (; page.size() - pos >= 32; pos += 32) {
    const __m128i low = marks_of(pos);
    const __m128i high = marks_of(pos + 16);
    if (_mm_movemask_epi8(_mm_or_si128(low, high)) == 0) continue;
    const unsigned marks = static_cast<unsigned>(_mm_movemask_epi8(low)) |
                           (static_cast<unsigned>(_mm_movemask_epi8(high)) << 16);
    const uint64_t newlines =
        newlines_of(pos) | (static_cast<uint64_t>(newlines_of(pos + 16)) << 16);
    // [start, pos) holds none of the rare bytes, so the bytewise scan can start at pos.
    if (newlines == 0) return ScanLineBytewise(page, pos);  // a rare byte before the end
    const auto offset = static_cast<unsigned>(__builtin_ctzll(newlines));
    if ((marks & ((uint64_t{1} << offset) - 1)) != 0) return ScanLineBytewise(page, pos);
    LineScan scan;
    scan.end = pos + offset;
    return scan;
  }
  return ScanLineBytewise(page, pos);
#else
  return ScanLineBytewise(page, start);
#endif
}

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_LINE_SCAN_H_
