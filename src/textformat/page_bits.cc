#include "textformat/page_bits.h"

#include <algorithm>

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

// Bit i of the result is the top bit of byte i of `bytes`.
[[gnu::target("avx2")]] inline uint64_t TopBits(__m256i bytes) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(bytes));
}

}  // namespace

[[gnu::target("avx2")]] void ClassifyWordsAvx2(const char* bytes, size_t words,
                                               uint64_t* const out[kByteClasses]) {
  const __m256i newline = _mm256_set1_epi8('\n');
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i backslash = _mm256_set1_epi8('\\');
  const __m256i zero = _mm256_setzero_si256();
  for (size_t w = 0; w < words; ++w) {
    ByteClassWord word;
    uint64_t name = 0;
    for (int half = 0; half < 2; ++half) {
      const __m256i block =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes + 64 * w + 32 * half));
      // x < n, unsigned, is min(x, n - 1) == x; letters are folded to lower case first.
      const __m256i letter =
          _mm256_sub_epi8(_mm256_or_si256(block, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a'));
      const __m256i is_letter =
          _mm256_cmpeq_epi8(_mm256_min_epu8(letter, _mm256_set1_epi8(25)), letter);
      const __m256i digit = _mm256_sub_epi8(block, _mm256_set1_epi8('0'));
      const __m256i is_digit =
          _mm256_cmpeq_epi8(_mm256_min_epu8(digit, _mm256_set1_epi8(9)), digit);
      const __m256i is_name = _mm256_or_si256(_mm256_or_si256(is_letter, is_digit),
                                              _mm256_cmpeq_epi8(block, _mm256_set1_epi8('_')));
      const __m256i is_rare = _mm256_or_si256(
          _mm256_or_si256(_mm256_cmpeq_epi8(block, zero), _mm256_cmpeq_epi8(block, backslash)),
          block);
      const unsigned at = 32 * half;
      word.newline |= TopBits(_mm256_cmpeq_epi8(block, newline)) << at;
      word.quote |= TopBits(_mm256_cmpeq_epi8(block, quote)) << at;
      name |= TopBits(is_name) << at;
      word.rare |= TopBits(is_rare) << at;
    }
    out[static_cast<int>(ByteClass::kNewline)][w] = word.newline;
    out[static_cast<int>(ByteClass::kQuote)][w] = word.quote;
    out[static_cast<int>(ByteClass::kNonName)][w] = ~name;
    out[static_cast<int>(ByteClass::kRare)][w] = word.rare;
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
