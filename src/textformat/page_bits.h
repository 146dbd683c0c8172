#ifndef VMQ_TEXTFORMAT_PAGE_BITS_H_
#define VMQ_TEXTFORMAT_PAGE_BITS_H_

// The page-at-once way of finding tokens: one pass over a chunk of the page (AVX2, 32 bytes
// a round) turns every byte into a bit per class it belongs to, and the line parsers then
// find a line's end, a name's end or a label value's closing quote by a shift and a
// count-trailing-zeros on those bits instead of a loop over 16-byte blocks whose exit depends
// on the token's length (the branch the per-line scanners mispredicted on nearly every
// token). Used only where the CPU has AVX2 and BMI2 (CpuHasPageBits); elsewhere the parser keeps
// its per-line SSE2 scans (line_scan.h, scan.h), and the two give the same results (tests).

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace vmq::textformat::detail {

// On the functions that use the page bits; they run only where CpuHasPageBits.
#if defined(__x86_64__) || defined(__i386__)
#define VMQ_PAGE_BITS_TARGET gnu::target("avx2,bmi,bmi2")
#else
#define VMQ_PAGE_BITS_TARGET
#endif

// Trailing zeros, 64 for 0, without the branch std::countr_zero has for 0 (tzcnt gives 64).
[[VMQ_PAGE_BITS_TARGET]] inline unsigned TrailingZeros(uint64_t bits) {
#if defined(__x86_64__)
  return static_cast<unsigned>(__builtin_ia32_tzcnt_u64(bits));
#else
  return bits == 0 ? 64 : static_cast<unsigned>(__builtin_ctzll(bits));
#endif
}

// The classes a byte can have here.
enum class ByteClass {
  kNewline,  // '\n'
  kQuote,    // '"'
  kNonName,  // not in [a-zA-Z0-9_]; ':' included, the fast paths decline it
  kRare,     // NUL, '\\' or >= 0x80: a line with one goes the per-line way
};
inline constexpr int kByteClasses = 4;

// The classes of 64 consecutive bytes: bit i stands for byte i.
struct ByteClassWord {
  uint64_t newline = 0;
  uint64_t quote = 0;
  uint64_t non_name = 0;
  uint64_t rare = 0;
};

// The classes of bytes[0, count), count <= 64, one byte at a time: the reference the AVX2
// pass is tested against, and what classifies the page's last partial word. Bits at and
// beyond `count` are those of bytes past the end of the page: non_name, nothing else.
ByteClassWord ClassifyBytewise(const char* bytes, size_t count);

// The same for `words` whole words (64 * words bytes) at `bytes`, word w of class c going to
// out[c][w]. Call only when CpuHasPageBits.
void ClassifyWordsAvx2(const char* bytes, size_t words, uint64_t* const out[kByteClasses]);

// AVX2 for the classifier, BMI1/BMI2 for the searches (tzcnt, and shifts that leave the
// count register alone: the page-bits code runs out of registers without them). Every CPU
// with AVX2 so far has both.
bool CpuHasPageBits();

// The classes of one chunk of a page, [base, base + kChunkBytes) with base a multiple of 64,
// and the searches on them. A line whose '\n' lies in the chunk can be read entirely from it;
// the caller loads the chunk that starts at its line when it does not. Past the end of the
// page every byte counts as non_name, and the page's end itself as a newline, so the last
// line ends there whether the page has a final '\n' or not.
class PageBits {
 public:
  static constexpr size_t kWords = 128;
  static constexpr size_t kChunkBytes = 64 * kWords;

  // A window covers at least this many bytes: a load of 8 bytes of bits at the window's byte,
  // shifted by its bit, has 57 to 64 of them; more than 56 are not relied on.
  static constexpr size_t kWindowBytes = 56;

  explicit PageBits(std::string_view page) : page_(page) {}

  [[VMQ_PAGE_BITS_TARGET]] void Load(size_t base);
  size_t base() const { return base_; }
  // Positions below the limit are in the chunk.
  size_t limit() const { return base_ + kChunkBytes; }
  std::string_view page() const { return page_; }
  ByteClassWord word(size_t index) const {
    return {bits_[0][index], bits_[1][index], bits_[2][index], bits_[3][index]};
  }

  // The class bits of the bytes from `pos` (base <= pos < limit + 64): bits 0 to 55 are those
  // of bytes pos to pos + 55, each higher bit either its byte's or 0 (the bytes of the words
  // in memory are in bit order: x86 is little-endian). One load and a shift,
  // which is what makes the searches below cheaper than a loop over bytes or blocks.
  template <ByteClass kClass>
  uint64_t Window(size_t pos) const {
    const size_t offset = pos - base_;
    uint64_t bits = 0;
    std::memcpy(&bits,
                reinterpret_cast<const char*>(bits_[static_cast<int>(kClass)].data()) + offset / 8,
                sizeof(bits));
    return bits >> (offset % 8);
  }

  // The distance from `pos` (base <= pos < limit) to the first byte at or after it in the
  // class, when that is less than 128; 128 or more otherwise. From the three words that hold
  // bytes pos to pos + 128, without a branch on which of them has it (for line ends: half the
  // lines of a real page are longer than 64 bytes).
  template <ByteClass kClass>
  size_t FindNear(size_t pos) const {
    const size_t offset = pos - base_;
    const uint64_t* const words = bits_[static_cast<int>(kClass)].data() + offset / 64;
    const unsigned shift = offset % 64;
    const uint64_t first = words[0] >> shift;  // bytes pos to pos + 63 - shift
    // Each word's candidate, pushed beyond the others when the word has none: the smallest is
    // the answer. Arithmetic rather than conditions, which the compiler may turn into branches.
    const size_t in_first =
        static_cast<size_t>(TrailingZeros(first)) + 256 * static_cast<size_t>(first == 0);
    const size_t in_second = 64 - shift + static_cast<size_t>(TrailingZeros(words[1])) +
                             256 * static_cast<size_t>(words[1] == 0);
    const size_t in_third = 128 - shift + static_cast<size_t>(TrailingZeros(words[2]));
    return std::min(std::min(in_first, in_second), in_third);
  }

  // The first position at or after `pos` (< limit) whose byte is in the class, or `end` when
  // there is none before `end` (<= limit).
  template <ByteClass kClass>
  size_t Find(size_t pos, size_t end) const {
    while (true) {
      const uint64_t bits = Window<kClass>(pos);
      if (bits != 0) [[likely]] {
        const size_t found = pos + static_cast<size_t>(TrailingZeros(bits));
        return found < end ? found : end;
      }
      pos += kWindowBytes;
      if (pos >= end) return end;
    }
  }

  // The end of the name that starts before `pos`: the first byte at or after `pos` that is not
  // in [a-zA-Z0-9_]. Never beyond the end of the line holding `pos` (its '\n', '\r' or the
  // page's end are not name bytes), so within the chunk when that line is.
  size_t NameEnd(size_t pos) const { return Find<ByteClass::kNonName>(pos, limit()); }

 private:
  std::string_view page_;
  size_t base_ = 0;
  // One array of words per class, with words past the chunk: FindNear and Window at the chunk's
  // last positions read up to two of them.
  std::array<std::array<uint64_t, kWords + 4>, kByteClasses> bits_{};
};

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_PAGE_BITS_H_
