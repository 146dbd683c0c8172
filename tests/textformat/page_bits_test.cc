// The page-bits path (page_bits.h): its AVX2 classifier gives the bits the bytewise reference
// gives, wherever a byte falls in a 64-byte word, a chunk and the page; its searches find
// what a byte-by-byte search finds; and a whole parse on that path gives the same calls,
// statistics and error messages as the per-line path on real, damaged and random pages
// (lines across chunk borders, longer than a chunk, of 63, 64, 127 and 128 bytes, with and
// without rare bytes, '\r' and a final newline).

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/fixtures.h"
#include "recording_handler.h"
#include "textformat/page_bits.h"
#include "textformat/parse_path.h"

namespace vmq::textformat::detail {
namespace {

using testing::ExpectSamePaths;
using testing::ParseWith;

bool IsNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool IsRare(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte == 0 || byte == '\\' || byte >= 0x80;
}

// What bit `i` of each class must be for `page` in the chunk at `base`.
void ExpectBitsOfPage(const PageBits& bits, std::string_view page) {
  for (size_t i = 0; i < 64 * (PageBits::kWords + 4); ++i) {
    const size_t at = bits.base() + i;
    const ByteClassWord word = bits.word(i / 64);
    const auto bit = [&](uint64_t w) { return ((w >> (i % 64)) & 1) != 0; };
    const bool inside = at < page.size();
    const char c = inside ? page[at] : '\0';
    ASSERT_EQ(bit(word.newline), inside ? c == '\n' : at == page.size()) << at;
    ASSERT_EQ(bit(word.quote), inside && c == '"') << at;
    ASSERT_EQ(bit(word.non_name), !inside || !IsNameByte(c)) << at;
    ASSERT_EQ(bit(word.rare), inside && IsRare(c)) << at;
  }
}

std::string RandomBytes(std::mt19937& random, size_t size) {
  static constexpr char kBytes[] = "\n\"\\\0azAZ09_:@[`{/ \t\r=,}\x80\xff\x7f";
  std::uniform_int_distribution<size_t> pick(0, sizeof(kBytes) - 2);
  std::uniform_int_distribution<int> any(0, 255);
  std::string bytes(size, '\0');
  for (char& c : bytes)
    c = random() % 4 == 0 ? static_cast<char>(any(random)) : kBytes[pick(random)];
  return bytes;
}

TEST(PageBits, ClassifierAgreesWithTheBytewiseReference) {
  if (!CpuHasPageBits()) GTEST_SKIP() << "no AVX2/BMI2: Parse reads pages by line here";
  std::mt19937 random(11);
  for (int round = 0; round < 2000; ++round) {
    const std::string bytes = RandomBytes(random, 64 * 4);
    uint64_t words[kByteClasses][4];
    uint64_t* const out[kByteClasses] = {words[0], words[1], words[2], words[3]};
    ClassifyWordsAvx2(bytes.data(), 4, out);
    for (size_t w = 0; w < 4; ++w) {
      const ByteClassWord expected = ClassifyBytewise(bytes.data() + 64 * w, 64);
      ASSERT_EQ(words[0][w], expected.newline) << round;
      ASSERT_EQ(words[1][w], expected.quote) << round;
      ASSERT_EQ(words[2][w], expected.non_name) << round;
      ASSERT_EQ(words[3][w], expected.rare) << round;
    }
  }
  // Every byte value at every position of a word.
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 64; ++at) {
      std::string bytes(64, 'a');
      bytes[at] = static_cast<char>(byte);
      uint64_t word[kByteClasses];
      uint64_t* const out[kByteClasses] = {&word[0], &word[1], &word[2], &word[3]};
      ClassifyWordsAvx2(bytes.data(), 1, out);
      const ByteClassWord expected = ClassifyBytewise(bytes.data(), 64);
      ASSERT_EQ(word[0], expected.newline) << byte << " at " << at;
      ASSERT_EQ(word[1], expected.quote) << byte << " at " << at;
      ASSERT_EQ(word[2], expected.non_name) << byte << " at " << at;
      ASSERT_EQ(word[3], expected.rare) << byte << " at " << at;
    }
  }
}

TEST(PageBits, BytewiseReferenceClassifiesAsDocumented) {
  std::string bytes;
  for (int byte = 0; byte < 64; ++byte) bytes.push_back(static_cast<char>(byte * 4 + 1));
  bytes[3] = '\n';
  bytes[5] = '"';
  const ByteClassWord word = ClassifyBytewise(bytes.data(), 64);
  for (size_t i = 0; i < 64; ++i) {
    EXPECT_EQ((word.newline >> i) & 1, bytes[i] == '\n' ? 1u : 0u) << i;
    EXPECT_EQ((word.quote >> i) & 1, bytes[i] == '"' ? 1u : 0u) << i;
    EXPECT_EQ((word.non_name >> i) & 1, IsNameByte(bytes[i]) ? 0u : 1u) << i;
    EXPECT_EQ((word.rare >> i) & 1, IsRare(bytes[i]) ? 1u : 0u) << i;
  }
  const ByteClassWord partial = ClassifyBytewise("ab", 2);
  EXPECT_EQ(partial.non_name, ~uint64_t{3});
  EXPECT_EQ(partial.newline | partial.quote | partial.rare, 0u);
}

TEST(PageBits, ChunksHoldEveryByteOfThePageAndItsEnd) {
  if (!CpuHasPageBits()) GTEST_SKIP() << "no AVX2/BMI2: Parse reads pages by line here";
  std::mt19937 random(12);
  for (const size_t size :
       {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{127}, PageBits::kChunkBytes - 1,
        PageBits::kChunkBytes, PageBits::kChunkBytes + 64, PageBits::kChunkBytes + 129,
        3 * PageBits::kChunkBytes + 7}) {
    const std::string page = RandomBytes(random, size);
    PageBits bits(page);
    for (size_t base = 0; base < size; base += 64 * (1 + random() % 80)) {
      bits.Load(base);
      ExpectBitsOfPage(bits, page);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(PageBits, SearchesFindWhatAByteByByteSearchFinds) {
  if (!CpuHasPageBits()) GTEST_SKIP() << "no AVX2/BMI2: Parse reads pages by line here";
  std::mt19937 random(13);
  for (int round = 0; round < 40; ++round) {
    // Sparse quotes and newlines, so that searches also cross words and run to their end.
    std::string page = RandomBytes(random, PageBits::kChunkBytes + 300);
    for (char& c : page) {
      if ((c == '"' || c == '\n') && random() % 8 != 0) c = 'x';
    }
    PageBits bits(page);
    bits.Load(64 * (random() % 3));
    for (int probe = 0; probe < 2000; ++probe) {
      const size_t pos = bits.base() + random() % PageBits::kChunkBytes;
      const size_t end = pos + random() % (bits.limit() - pos + 1);
      size_t quote = pos;
      while (quote < end && (quote >= page.size() || page[quote] != '"')) ++quote;
      ASSERT_EQ(bits.Find<ByteClass::kQuote>(pos, end), quote) << pos << " " << end;
      // Bits 0 to 55 of a window are those of their bytes; any higher bit is its byte's or 0.
      const uint64_t window = bits.Window<ByteClass::kNewline>(pos);
      size_t newline = 128;
      for (size_t i = 0; i < 128; ++i) {
        const size_t at = pos + i;
        const bool is_newline = at < page.size() ? page[at] == '\n' : at == page.size();
        if (is_newline && newline == 128) newline = i;
        if (i >= 64) continue;
        const bool in_window = ((window >> i) & 1) != 0;
        if (i < PageBits::kWindowBytes) {
          ASSERT_EQ(in_window, is_newline) << pos << " + " << i;
        } else if (in_window) {
          ASSERT_TRUE(is_newline) << pos << " + " << i;
        }
      }
      // FindNear: the distance when under 128, else anything from 128 up.
      const size_t near = bits.FindNear<ByteClass::kNewline>(pos);
      if (newline < 128) {
        ASSERT_EQ(near, newline) << pos;
      } else {
        ASSERT_GE(near, 128u) << pos;
      }
    }
  }
  EXPECT_EQ(TrailingZeros(0), 64u);
  EXPECT_EQ(TrailingZeros(uint64_t{1} << 63), 63u);
}

void ExpectSamePathsOn(std::string_view page, const ParseLimits& limits = {}) {
  ExpectSamePaths(ParseWith(ParsePath::kByLine, page, limits),
                  ParseWith(ParsePath::kPageBits, page, limits));
}

std::vector<std::string> RealPages() {
  return {vmq::testing::ReadFixture("vernemq-2.0.1.metrics.txt"),
          vmq::testing::ReadFixture("not-vernemq.metrics.txt"),
          vmq::testing::ReadFixture("2.1.2/03-after-v5-unexpected-pubcomp.txt")};
}

TEST(ParsePaths, AgreeOnRealPagesCutAnywhere) {
  for (const std::string& page : RealPages()) {
    ASSERT_FALSE(page.empty());
    const auto bits = ParseWith(ParsePath::kPageBits, page);
    EXPECT_GT(bits.stats.samples, 0u);
    ExpectSamePathsOn(page);
    // Every end of the page, so that the last line ends at every byte of a word.
    for (size_t size = page.size() - std::min<size_t>(page.size(), 300); size < page.size();
         ++size) {
      ExpectSamePathsOn(std::string_view(page).substr(0, size));
    }
    // Every start, so that lines fall at every offset of a word and a chunk.
    for (size_t skip = 0; skip < 200; ++skip)
      ExpectSamePathsOn(std::string_view(page).substr(skip));
  }
}

// Real lines, each edited the way a broken exporter or the network might: bytes replaced,
// inserted or removed, '\r' before the newline, rare bytes, lines made 63 to 129 bytes or
// longer than a chunk, the final newline dropped; with default and tight limits.
TEST(ParsePaths, AgreeOnDamagedPages) {
  std::vector<std::string> lines;
  for (const std::string& page : RealPages()) {
    for (size_t start = 0; start < page.size();) {
      const size_t end = std::min(page.find('\n', start), page.size());
      lines.push_back(page.substr(start, end - start));
      start = end + 1;
    }
  }
  static constexpr char kBytes[] = " \t{}=\",:_a1.e+-#\r\\\0\x80\xc3\xa9\n";
  std::mt19937 random(14);
  std::uniform_int_distribution<size_t> pick(0, sizeof(kBytes) - 2);
  ParseLimits tight;
  tight.max_labels_per_sample = 2;
  tight.max_line_bytes = 100;
  for (int round = 0; round < 400; ++round) {
    std::string page;
    const size_t count = 1 + random() % 200;
    for (size_t n = 0; n < count; ++n) {
      std::string line = lines[random() % lines.size()];
      switch (random() % 8) {
        case 0:
          for (int edits = 1 + random() % 3; edits > 0; --edits) {
            const size_t at = random() % (line.size() + 1);
            if (random() % 2 == 0) {
              line.insert(at, 1, kBytes[pick(random)]);
            } else if (at < line.size()) {
              line[at] = kBytes[pick(random)];
            }
          }
          break;
        case 1:
          line += '\r';
          break;
        case 2: {  // 63 to 129 bytes
          const size_t want = 63 + random() % 67;
          if (line.size() < want) {
            const size_t quote = line.find('"');
            line.insert(quote == std::string::npos ? line.size() / 2 : quote + 1,
                        want - line.size(), 'v');
          }
          break;
        }
        case 3:
          if (random() % 10 == 0) {
            const size_t quote = line.find('"');
            line.insert(quote == std::string::npos ? 1 : quote + 1,
                        PageBits::kChunkBytes + random() % 200, 'w');
          }
          break;
        default:
          break;
      }
      page += line;
      page += '\n';
    }
    if (random() % 2 == 0) page.pop_back();
    ExpectSamePathsOn(page, round % 3 == 0 ? tight : ParseLimits{});
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "round " << round;
      return;
    }
  }
}

TEST(ParsePaths, AgreeOnRandomBytes) {
  std::mt19937 random(15);
  for (int round = 0; round < 300; ++round) {
    ExpectSamePathsOn(RandomBytes(random, 1 + random() % (3 * PageBits::kChunkBytes)));
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace vmq::textformat::detail
