#include "textformat/page_bits.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define VMQ_TEXTFORMAT_X86 1
#endif

namespace vmq::textformat::detail {

ByteClassWord ClassifyBytewise(const char* bytes, size_t count) {
  ByteClassWord word;
  word.non_name = ~uint64_t{0};
  for (size_t i = 0; i < count; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    const uint64_t bit = uint64_t{1} << i;
    const bool name = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                      (byte >= '0' && byte <= '9') || byte == '_';
    if (byte == '\n') word.newline |= bit;
    if (byte == '"') word.quote |= bit;
    if (name) word.non_name &= ~bit;
    if (byte == 0 || byte == '\\' || byte >= 0x80) word.rare |= bit;
  }
  return word;
}

#if defined(VMQ_TEXTFORMAT_X86)

namespace {

// Bits of the nibble tables: a byte belongs to a class when the entries for its low and its
// high nibble share one of the class's bits (bytes >= 0x80 share none: their high nibble's
// entry is 0; they are rare by their top bit).
enum NibbleBit : unsigned char {
  kDigit = 0x01,       // high 3, low 0-9
  kLetterEven = 0x02,  // high 4 or 6, low 1-f: A-O, a-o
  kLetterOdd = 0x04,   // high 5 or 7, low 0-a: P-Z, p-z
  kUnderscore = 0x08,  // high 5, low f
  kNul = 0x40,         // high 0, low 0
  kBackslash = 0x80,   // high 5, low c
};

constexpr unsigned char LowEntry(unsigned low) {
  return static_cast<unsigned char>((low <= 9 ? kDigit : 0) | (low >= 1 ? kLetterEven : 0) |
                                    (low <= 10 ? kLetterOdd : 0) | (low == 15 ? kUnderscore : 0) |
                                    (low == 0 ? kNul : 0) | (low == 12 ? kBackslash : 0));
}

constexpr unsigned char HighEntry(unsigned high) {
  return static_cast<unsigned char>(
      (high == 3 ? kDigit : 0) | (high == 4 || high == 6 ? kLetterEven : 0) |
      (high == 5 || high == 7 ? kLetterOdd : 0) | (high == 5 ? kUnderscore | kBackslash : 0) |
      (high == 0 ? kNul : 0));
}

template <unsigned char (*kEntry)(unsigned)>
[[gnu::target("avx2")]] __m256i NibbleTable() {
  return _mm256_setr_epi8(
      static_cast<char>(kEntry(0)), static_cast<char>(kEntry(1)), static_cast<char>(kEntry(2)),
      static_cast<char>(kEntry(3)), static_cast<char>(kEntry(4)), static_cast<char>(kEntry(5)),
      static_cast<char>(kEntry(6)), static_cast<char>(kEntry(7)), static_cast<char>(kEntry(8)),
      static_cast<char>(kEntry(9)), static_cast<char>(kEntry(10)), static_cast<char>(kEntry(11)),
      static_cast<char>(kEntry(12)), static_cast<char>(kEntry(13)), static_cast<char>(kEntry(14)),
      static_cast<char>(kEntry(15)), static_cast<char>(kEntry(0)), static_cast<char>(kEntry(1)),
      static_cast<char>(kEntry(2)), static_cast<char>(kEntry(3)), static_cast<char>(kEntry(4)),
      static_cast<char>(kEntry(5)), static_cast<char>(kEntry(6)), static_cast<char>(kEntry(7)),
      static_cast<char>(kEntry(8)), static_cast<char>(kEntry(9)), static_cast<char>(kEntry(10)),
      static_cast<char>(kEntry(11)), static_cast<char>(kEntry(12)), static_cast<char>(kEntry(13)),
      static_cast<char>(kEntry(14)), static_cast<char>(kEntry(15)));
}

// Writes the top bits of the 32 bytes to the 4 bytes at `out`: for block `half` of a page,
// at 4 * half bytes into its class's words, bits [32 * half, 32 * half + 32) of them (x86 is
// little-endian).
[[gnu::target("avx2")]] inline void StoreTopBits(__m256i bytes, char* out) {
  const auto bits = static_cast<uint32_t>(_mm256_movemask_epi8(bytes));
  std::memcpy(out, &bits, sizeof(bits));
}

}  // namespace

// 32 bytes a round: each byte's low and high nibble look up a table entry (pshufb), and the
// AND of the two holds its name and rare classes; '\n' and '"' are compared directly.
[[gnu::target("avx2")]] void ClassifyWordsAvx2(const char* bytes, size_t words,
                                               uint64_t* const out[kByteClasses]) {
  const __m256i low_table = NibbleTable<LowEntry>();
  const __m256i high_table = NibbleTable<HighEntry>();
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  const __m256i name_bits = _mm256_set1_epi8(kDigit | kLetterEven | kLetterOdd | kUnderscore);
  const __m256i newline = _mm256_set1_epi8('\n');
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i zero = _mm256_setzero_si256();
  // The outputs in locals: the stores below may alias anything, `out` included.
  char* const newlines = reinterpret_cast<char*>(out[static_cast<int>(ByteClass::kNewline)]);
  char* const quotes = reinterpret_cast<char*>(out[static_cast<int>(ByteClass::kQuote)]);
  char* const non_names = reinterpret_cast<char*>(out[static_cast<int>(ByteClass::kNonName)]);
  char* const rares = reinterpret_cast<char*>(out[static_cast<int>(ByteClass::kRare)]);
  for (size_t half = 0; half < 2 * words; ++half) {
    const __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes + 32 * half));
    const __m256i low = _mm256_and_si256(block, nibble);
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(block, 4), nibble);
    const __m256i entry = _mm256_and_si256(_mm256_shuffle_epi8(low_table, low),
                                           _mm256_shuffle_epi8(high_table, high));
    const __m256i non_name = _mm256_cmpeq_epi8(_mm256_and_si256(entry, name_bits), zero);
    // kNul moved up onto kBackslash's top bit (a 16-bit shift leaves each byte's top bit to
    // that byte's own bit 6), and the byte's own top bit for >= 0x80.
    const __m256i rare =
        _mm256_or_si256(block, _mm256_or_si256(entry, _mm256_slli_epi16(entry, 1)));
    StoreTopBits(_mm256_cmpeq_epi8(block, newline), newlines + 4 * half);
    StoreTopBits(_mm256_cmpeq_epi8(block, quote), quotes + 4 * half);
    StoreTopBits(non_name, non_names + 4 * half);
    StoreTopBits(rare, rares + 4 * half);
  }
}

bool CpuHasPageBits() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2");
}

#else

void ClassifyWordsAvx2(const char* bytes, size_t words, uint64_t* const out[kByteClasses]) {
  for (size_t w = 0; w < words; ++w) {
    const ByteClassWord word = ClassifyBytewise(bytes + 64 * w, 64);
    out[0][w] = word.newline;
    out[1][w] = word.quote;
    out[2][w] = word.non_name;
    out[3][w] = word.rare;
  }
}

bool CpuHasPageBits() { return false; }

#endif

[[VMQ_PAGE_BITS_TARGET]] void PageBits::Load(size_t base) {
  base_ = base;
  const size_t size = page_.size();
  const size_t available = size > base ? size - base : 0;
  const size_t words = bits_[0].size();
  const size_t whole = std::min(available / 64, words);
  uint64_t* const out[kByteClasses] = {bits_[0].data(), bits_[1].data(), bits_[2].data(),
                                       bits_[3].data()};
  ClassifyWordsAvx2(page_.data() + base, whole, out);
  for (size_t w = whole; w < words; ++w) {
    const size_t begin = 64 * w;
    const ByteClassWord word =
        begin < available ? ClassifyBytewise(page_.data() + base + begin, available - begin)
                          : ByteClassWord{0, 0, ~uint64_t{0}, 0};
    bits_[0][w] = word.newline;
    bits_[1][w] = word.quote;
    bits_[2][w] = word.non_name;
    bits_[3][w] = word.rare;
  }
  if (available < 64 * words) {
    bits_[static_cast<int>(ByteClass::kNewline)][available / 64] |= uint64_t{1} << (available % 64);
  }
}

}  // namespace vmq::textformat::detail
