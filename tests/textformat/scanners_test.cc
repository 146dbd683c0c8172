// The 16-bytes-at-a-time scanners and the integer shortcut give exactly what their
// one-byte-at-a-time definitions give, wherever a byte falls relative to a 16- or 32-byte
// block and to the end of the page.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/fixtures.h"
#include "textformat/line_scan.h"
#include "textformat/number.h"
#include "textformat/sample_line.h"
#include "textformat/scan.h"

namespace vmq::textformat::detail {
namespace {

bool SameScan(const LineScan& a, const LineScan& b) {
  return a.end == b.end && a.has_nul == b.has_nul && a.has_backslash == b.has_backslash &&
         a.has_non_ascii == b.has_non_ascii;
}

// What ScanLine must find, written out byte by byte without any shortcut.
LineScan ReferenceScan(std::string_view page, size_t start) {
  LineScan scan;
  size_t pos = start;
  for (; pos < page.size() && page[pos] != '\n'; ++pos) {
    const auto byte = static_cast<unsigned char>(page[pos]);
    if (byte == 0) scan.has_nul = true;
    if (byte == '\\') scan.has_backslash = true;
    if (byte >= 0x80) scan.has_non_ascii = true;
  }
  scan.end = pos;
  return scan;
}

TEST(ScanLine, FindsTheLineEndAndRareBytesWhereverTheyAre) {
  for (const char rare : {'\0', '\\', '\x80', '\xff', 'a'}) {
    for (size_t length = 0; length < 80; ++length) {
      for (size_t at = 0; at <= length + 1; ++at) {
        // A line of `length` bytes with `rare` at `at` (or just after its newline), then more.
        std::string page(length, 'x');
        page += '\n';
        page += std::string(40, 'y');
        if (at < page.size()) page[at] = rare;
        for (const size_t start : {size_t{0}, size_t{1}, size_t{3}}) {
          if (start >= page.size()) continue;
          ASSERT_TRUE(SameScan(ScanLine(page, start), ReferenceScan(page, start)))
              << "length " << length << " rare at " << at << " start " << start;
          ASSERT_TRUE(SameScan(ScanLineBytewise(page, start), ReferenceScan(page, start)));
        }
      }
    }
  }
}

TEST(ScanLine, NeverLooksPastTheEndOfAPageWithoutNewline) {
  // Views into a longer buffer whose bytes after the view would end the line early.
  const std::string buffer = std::string(100, 'x') + "\n\\\n";
  for (size_t size = 1; size <= 100; ++size) {
    const std::string_view page(buffer.data(), size);
    for (size_t start = 0; start < size; start += 7) {
      const LineScan scan = ScanLine(page, start);
      EXPECT_EQ(scan.end, size);
      EXPECT_FALSE(scan.has_backslash);
    }
  }
}

TEST(ScanLine, AgreesWithTheReferenceOnRandomPages) {
  std::mt19937 random(99);
  static constexpr char kBytes[] = "ab\n\n\\\0\x80\xc3 ";
  std::uniform_int_distribution<size_t> pick(0, sizeof(kBytes) - 2);
  std::uniform_int_distribution<int> common(0, 15);
  for (int round = 0; round < 2000; ++round) {
    std::string page(static_cast<size_t>(round % 200) + 1, 'x');
    for (char& c : page) c = common(random) == 0 ? kBytes[pick(random)] : 'm';
    for (size_t start = 0; start < page.size(); start = ReferenceScan(page, start).end + 1) {
      ASSERT_TRUE(SameScan(ScanLine(page, start), ReferenceScan(page, start))) << round;
    }
  }
}

// The name grammar straight from the table of character classes.
size_t ReferenceNameEnd(std::string_view line, size_t pos, bool colon) {
  const unsigned char start = colon ? kNameStart | kColon : kNameStart;
  if (pos >= line.size() || !HasClass(line[pos], start)) return pos;
  ++pos;
  while (pos < line.size() && HasClass(line[pos], start | kDigit)) ++pos;
  return pos;
}

// `text`, then kLinePadding bytes of `fill`, as the scanners see a padded line; the view is
// of `text` only.
class PaddedLine {
 public:
  PaddedLine(std::string_view text, char fill)
      : buffer_(std::string(text) + std::string(kLinePadding, fill)), size_(text.size()) {}
  std::string_view view() const { return std::string_view(buffer_.data(), size_); }

 private:
  std::string buffer_;
  size_t size_;
};

TEST(ScanName, StopsAtEveryByteThatIsNotANameByte) {
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 1; at < 40; ++at) {
      std::string text(40, 'a');
      text[at] = static_cast<char>(byte);
      const PaddedLine line(text, 'a');
      for (const bool colon : {false, true}) {
        for (const bool padded : {false, true}) {
          size_t pos = 0;
          const std::string_view name = ScanName(line.view(), pos, colon, padded);
          ASSERT_EQ(pos, ReferenceNameEnd(line.view(), 0, colon))
              << "byte " << byte << " at " << at;
          ASSERT_EQ(name.size(), pos);
        }
      }
    }
  }
}

TEST(ScanName, StopsAtTheEndOfTheLineWhateverFollowsIt) {
  for (size_t size = 0; size <= 40; ++size) {
    const PaddedLine line(std::string(size, 'a'), 'a');  // name bytes after the view
    for (const bool padded : {false, true}) {
      size_t pos = 0;
      EXPECT_EQ(ScanMetricName(line.view(), pos, padded).size(), size);
      pos = 0;
      EXPECT_EQ(ScanLabelName(line.view(), pos, padded).size(), size);
    }
  }
}

TEST(FindByte, FindsTheFirstOneWithinTheLineOrItsEnd) {
  for (size_t size = 0; size <= 70; ++size) {
    for (size_t quote = 0; quote <= size; ++quote) {
      std::string text(size, 'x');
      if (quote < size) text[quote] = '"';
      const PaddedLine line(text, '"');  // a quote right after the view is not in the line
      for (const bool padded : {false, true}) {
        for (size_t from = 0; from <= size; from += 5) {
          const size_t found = text.find('"', from);
          const size_t expected = found == std::string::npos ? size : found;
          ASSERT_EQ(FindByte(line.view(), from, '"', padded), expected) << size << " " << quote;
        }
      }
    }
  }
}

TEST(ScanUntilBlank, StopsAtASpaceOrTabWithinTheLineOrAtItsEnd) {
  for (const char blank : {' ', '\t'}) {
    for (size_t size = 0; size <= 40; ++size) {
      for (size_t at = 0; at <= size; ++at) {
        std::string text(size, '1');
        if (at < size) text[at] = blank;
        const PaddedLine line(text, blank);
        for (const bool padded : {false, true}) {
          size_t pos = 0;
          const std::string_view token = ScanUntilBlank(line.view(), pos, padded);
          ASSERT_EQ(pos, std::min(at, size)) << size << " " << at;
          ASSERT_EQ(token.size(), pos);
        }
      }
    }
  }
}

void ExpectSameAsGeneralPath(std::string_view token) {
  double value = -1;
  std::optional<uint64_t> integer = 12345;
  const bool ok = ParseSampleValue(token, value, integer);
  const std::optional<double> expected_value = ParseValue(token);
  ASSERT_EQ(ok, expected_value.has_value()) << token;
  if (!ok) return;
  if (std::isnan(*expected_value)) {
    EXPECT_TRUE(std::isnan(value)) << token;
  } else {
    EXPECT_EQ(value, *expected_value) << token;
  }
  EXPECT_EQ(integer, ParseExactInteger(token)) << token;
  // The one-word reading, whatever follows the token in memory.
  for (const std::string_view after : {"99999999", " 1234567", "\n0000000", "x\xff\0\0\0\0\0\0"}) {
    const std::string bytes = std::string(token) + std::string(after.data(), 8);
    double word_value = -1;
    std::optional<uint64_t> word_integer = 12345;
    ASSERT_EQ(ParseSampleValueInWord(std::string_view(bytes).substr(0, token.size()), word_value,
                                     word_integer),
              ok)
        << token;
    if (!std::isnan(value)) {
      EXPECT_EQ(word_value, value) << token;
    }
    EXPECT_EQ(word_integer, integer) << token;
  }
}

TEST(ParseSampleValue, GivesWhatParseValueAndParseExactIntegerGive) {
  for (const std::string_view token : {"0",
                                       "00",
                                       "7",
                                       "42",
                                       "0042",
                                       "999999999999999",
                                       "1000000000000000",
                                       "9007199254740993",
                                       "18446744073709551615",
                                       "18446744073709551616",
                                       "000000000000001",
                                       "-0",
                                       "+1",
                                       "1.0",
                                       "1e3",
                                       "1x",
                                       "x",
                                       "",
                                       " 1",
                                       "1 ",
                                       "NaN",
                                       "+Inf",
                                       "-1",
                                       "12345678901234a",
                                       "١"}) {
    ExpectSameAsGeneralPath(token);
  }
  std::mt19937_64 random(5);
  for (int round = 0; round < 20000; ++round) {
    const uint64_t n = random() >> (random() % 64);
    ExpectSameAsGeneralPath(std::to_string(n));
    std::string damaged = std::to_string(n % 100000000);
    damaged[random() % damaged.size()] = static_cast<char>(random());
    ExpectSameAsGeneralPath(damaged);
  }
}

std::string Describe(const Sample& sample) {
  std::string text(sample.name);
  for (const Label& label : sample.labels) {
    text += "|" + std::string(label.name) + "=" + std::string(label.value);
  }
  text += "|" + std::to_string(sample.value) + "|" +
          (sample.integer ? std::to_string(*sample.integer) : "-") + "|" +
          (sample.timestamp_ms ? std::to_string(*sample.timestamp_ms) : "-");
  return text;
}

// Whenever the shortcut for canonical lines takes a line, the general parser reads the same
// sample from it; and it does take the sample lines of a real page.
void ExpectShortcutAgreesWithGeneralParser(std::string_view text, ParseLimits limits,
                                           size_t& taken) {
  const PaddedLine line(text, '\n');
  const LineScan scan = ScanLineBytewise(line.view(), 0);
  if (scan.has_backslash || scan.has_non_ascii || scan.has_nul) return;
  SampleLineParser shortcut(limits);
  SampleLineParser general(limits);
  Sample fast;
  fast.timestamp_ms = 1;  // must be reset
  if (!shortcut.ReadsCanonicalLine(line.view(), fast)) return;
  ++taken;
  Sample slow;
  const auto failure = general.ParseAnyLine(line.view(), scan, true, slow);
  ASSERT_FALSE(failure.has_value()) << text << ": " << failure->reason;
  ASSERT_EQ(Describe(fast), Describe(slow)) << text;
}

TEST(CanonicalLineShortcut, AgreesWithTheGeneralParserOnRealAndDamagedLines) {
  const std::string page = vmq::testing::ReadFixture("vernemq-2.0.1.metrics.txt");
  std::vector<std::string> lines;
  for (size_t start = 0; start < page.size();) {
    const size_t end = std::min(page.find('\n', start), page.size());
    if (page[start] != '#' && end > start) lines.push_back(page.substr(start, end - start));
    start = end + 1;
  }
  size_t taken = 0;
  for (const std::string& line : lines) {
    ExpectShortcutAgreesWithGeneralParser(line, ParseLimits{}, taken);
  }
  EXPECT_EQ(taken, lines.size());  // every sample line of the page is canonical

  static constexpr char kBytes[] = " \t{}=\",:_a1.e+-#\r";
  std::mt19937 random(3);
  std::uniform_int_distribution<size_t> pick(0, sizeof(kBytes) - 2);
  ParseLimits two_labels;
  two_labels.max_labels_per_sample = 2;
  for (int round = 0; round < 200000; ++round) {
    std::string line = lines[static_cast<size_t>(round) % lines.size()];
    const int edits = 1 + round % 3;
    for (int i = 0; i < edits; ++i) {
      const size_t at = random() % (line.size() + 1);
      switch (random() % 3) {
        case 0:
          if (at < line.size()) line[at] = kBytes[pick(random)];
          break;
        case 1:
          line.insert(at, 1, kBytes[pick(random)]);
          break;
        default:
          if (at < line.size()) line.erase(at, 1 + random() % 4);
      }
    }
    size_t ignored = 0;
    ExpectShortcutAgreesWithGeneralParser(line, round % 2 ? two_labels : ParseLimits{}, ignored);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace vmq::textformat::detail
