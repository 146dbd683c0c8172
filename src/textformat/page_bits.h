#ifndef VMQ_TEXTFORMAT_PAGE_BITS_H_
#define VMQ_TEXTFORMAT_PAGE_BITS_H_

// The page-at-once way of finding tokens: one pass over a chunk of the page (AVX2, 64 bytes
// a round) turns every byte into a bit per class it belongs to, and the line parsers then
// find a line's end, a name's end or a label value's closing quote by a shift and a
// count-trailing-zeros on those bits instead of a loop over 16-byte blocks whose exit depends
// on the token's length (the branch the per-line scanners mispredicted on nearly every
// token). Used only where the CPU has AVX2 and BMI2 (CpuHasPageBits); elsewhere the parser keeps
// its per-line SSE2 scans (line_scan.h, scan.h), and the two give the same results (tests).

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vmq::textformat::detail {

// The class bits of up to 128 bytes (GCC and Clang's 128-bit integer; __extension__ keeps
// -Wpedantic quiet).
__extension__ typedef unsigned __int128 Bits128;

// Trailing zeros of a 128-bit word (128 for 0), without a branch on which half holds them.
inline unsigned CountTrailingZeros128(Bits128 bits) {
  const auto low = static_cast<uint64_t>(bits);
  const auto high = static_cast<uint64_t>(bits >> 64);
  const unsigned low_zeros = static_cast<unsigned>(std::countr_zero(low));
  const unsigned high_zeros = static_cast<unsigned>(std::countr_zero(high));
  return low != 0 ? low_zeros : 64 + high_zeros;
}

// The classes of 64 consecutive bytes of a page: bit i stands for byte i.
struct ByteClassWord {
  uint64_t newline = 0;   // '\n'
  uint64_t quote = 0;     // '"'
  uint64_t non_name = 0;  // not in [a-zA-Z0-9_]; ':' included, the fast paths decline it
  uint64_t rare = 0;      // NUL, '\\' or >= 0x80: a line with one goes the per-line way
};

// The classes of bytes[0, count), count <= 64, one byte at a time: the reference the AVX2
// pass is tested against, and what classifies the page's last partial word. Bits at and
// beyond `count` are those of bytes past the end of the page: non_name, nothing else.
ByteClassWord ClassifyBytewise(const char* bytes, size_t count);

// The same for `words` whole words (64 * words bytes) at `bytes`. Call only when
// CpuHasPageBits.
void ClassifyWordsAvx2(const char* bytes, size_t words, ByteClassWord* out);

// AVX2 for the classifier, BMI1/BMI2 for the searches (tzcnt, and shifts that leave the
// count register alone: the page-bits code runs out of registers without them). Every CPU
// with AVX2 so far has both.
bool CpuHasPageBits();

// On the functions that use the page bits; they run only where CpuHasPageBits.
#if defined(__x86_64__) || defined(__i386__)
#define VMQ_PAGE_BITS_TARGET gnu::target("avx2,bmi,bmi2")
#else
#define VMQ_PAGE_BITS_TARGET
#endif

// The classes of one chunk of a page, [base, base + kChunkBytes) with base a multiple of 64,
// and the searches on them. A line whose '\n' lies in the chunk can be read entirely from it;
// the caller loads the chunk that starts at its line when it does not. Past the end of the
// page every byte counts as non_name, and the page's end itself as a newline, so the last
// line ends there whether the page has a final '\n' or not.
class PageBits {
 public:
  static constexpr size_t kWords = 128;
  static constexpr size_t kChunkBytes = 64 * kWords;

  explicit PageBits(std::string_view page) : page_(page) {}

  [[VMQ_PAGE_BITS_TARGET]] void Load(size_t base);
  size_t base() const { return base_; }
  // Positions below the limit are in the chunk.
  size_t limit() const { return base_ + kChunkBytes; }
  std::string_view page() const { return page_; }
  const ByteClassWord& word(size_t index) const { return words_[index]; }

  // The class bits of the 64 bytes from `pos` (base <= pos < limit + 64).
  template <uint64_t ByteClassWord::*kClass>
  uint64_t Window(size_t pos) const {
    const size_t offset = pos - base_;
    const size_t index = offset / 64;
    const unsigned shift = offset % 64;
    // The second word's part is shifted in two steps so that shift 0 needs no branch.
    return (words_[index].*kClass >> shift) | ((words_[index + 1].*kClass << 1) << (63 - shift));
  }

  // The same for the 128 bytes from `pos` (base <= pos < limit).
  template <uint64_t ByteClassWord::*kClass>
  Bits128 Window128(size_t pos) const {
    return Window<kClass>(pos) | static_cast<Bits128>(Window<kClass>(pos + 64)) << 64;
  }

  // The first position at or after `pos` (< limit) whose byte is in the class, or `end` when
  // there is none before `end` (<= limit).
  template <uint64_t ByteClassWord::*kClass>
  size_t Find(size_t pos, size_t end) const {
    while (true) {
      const uint64_t bits = Window<kClass>(pos);
      if (bits != 0) [[likely]] {
        const size_t found = pos + static_cast<size_t>(std::countr_zero(bits));
        return found < end ? found : end;
      }
      pos += 64;
      if (pos >= end) return end;
    }
  }

  // The end of the name that starts before `pos`: the first byte at or after `pos` that is not
  // in [a-zA-Z0-9_]. Never beyond the end of the line holding `pos` (its '\n', '\r' or the
  // page's end are not name bytes), so within the chunk when that line is.
  size_t NameEnd(size_t pos) const { return Find<&ByteClassWord::non_name>(pos, limit()); }

 private:
  std::string_view page_;
  size_t base_ = 0;
  // Two words more than the chunk: Window128 at the chunk's last position reads them.
  std::array<ByteClassWord, kWords + 2> words_{};
};

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_PAGE_BITS_H_
