#ifndef VMQ_TEXTFORMAT_SCAN_H_
#define VMQ_TEXTFORMAT_SCAN_H_

// Character classes and token scanners shared by the line parsers. They work on a cursor
// (`pos`) into one line and never read past its end, whatever the bytes are.

#include <array>
#include <cstddef>
#include <string_view>

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

inline void SkipBlanks(std::string_view line, size_t& pos) {
  while (pos < line.size() && HasClass(line[pos], kBlank)) ++pos;
}

// Returns the longest token at `pos` made of characters in `body`, provided its first
// character is in `start`; empty when there is none. Advances `pos` past it.
inline std::string_view ScanToken(std::string_view line, size_t& pos, unsigned char start,
                                  unsigned char body) {
  const size_t begin = pos;
  if (pos >= line.size() || !HasClass(line[pos], start)) return {};
  ++pos;
  while (pos < line.size() && HasClass(line[pos], body)) ++pos;
  return line.substr(begin, pos - begin);
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
inline std::string_view ScanMetricName(std::string_view line, size_t& pos) {
  return ScanToken(line, pos, kNameStart | kColon, kNameStart | kColon | kDigit);
}

// [a-zA-Z_][a-zA-Z0-9_]*
inline std::string_view ScanLabelName(std::string_view line, size_t& pos) {
  return ScanToken(line, pos, kNameStart, kNameStart | kDigit);
}

// Everything up to the next blank or the end of the line.
inline std::string_view ScanUntilBlank(std::string_view line, size_t& pos) {
  const size_t begin = pos;
  while (pos < line.size() && !HasClass(line[pos], kBlank)) ++pos;
  return line.substr(begin, pos - begin);
}

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_SCAN_H_
