#include "textformat/number.h"

#include <charconv>
#include <limits>
#include <system_error>

namespace vmq::textformat::detail {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The parts of `[+-]digits[.digits][(e|E)[+-]digits]`; false for anything else.
struct DecimalParts {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;
  std::string_view exponent;  // with its sign, if any
};

std::string_view Digits(std::string_view text, size_t& pos) {
  const size_t begin = pos;
  while (pos < text.size() && IsDigit(text[pos])) ++pos;
  return text.substr(begin, pos - begin);
}

bool SplitDecimal(std::string_view token, DecimalParts& parts) {
  size_t pos = 0;
  if (pos < token.size() && (token[pos] == '+' || token[pos] == '-')) {
    parts.negative = token[pos] == '-';
    ++pos;
  }
  parts.integer = Digits(token, pos);
  if (pos < token.size() && token[pos] == '.') {
    ++pos;
    parts.fraction = Digits(token, pos);
  }
  if (parts.integer.empty() && parts.fraction.empty()) return false;
  if (pos < token.size() && (token[pos] == 'e' || token[pos] == 'E')) {
    const size_t begin = ++pos;
    if (pos < token.size() && (token[pos] == '+' || token[pos] == '-')) ++pos;
    if (Digits(token, pos).empty()) return false;
    parts.exponent = token.substr(begin, pos - begin);
  }
  return pos == token.size();
}

// Exponents beyond this cannot leave a 20-digit uint64 anyway; clamping keeps the arithmetic
// below from overflowing on `1e99999999999999999999`.
constexpr int64_t kMaxExponent = 1000;

int64_t Exponent(std::string_view text) {
  if (text.empty()) return 0;
  const bool negative = text.front() == '-';
  if (text.front() == '+' || text.front() == '-') text.remove_prefix(1);
  int64_t value = 0;
  for (const char c : text) {
    value = value * 10 + (c - '0');
    if (value > kMaxExponent) return negative ? -kMaxExponent - 1 : kMaxExponent + 1;
  }
  return negative ? -value : value;
}

bool AppendDigit(uint64_t& value, char digit) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const auto d = static_cast<uint64_t>(digit - '0');
  if (value > (kMax - d) / 10) return false;
  value = value * 10 + d;
  return true;
}

}  // namespace

std::optional<double> ParseValue(std::string_view token) {
  // from_chars accepts a leading '-' but not '+'; a second sign after '+' is still junk.
  if (!token.empty() && token.front() == '+') {
    token.remove_prefix(1);
    if (!token.empty() && (token.front() == '-' || token.front() == '+')) return std::nullopt;
  }
  if (token.empty()) return std::nullopt;
  double value = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value, std::chars_format::general);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseExactInteger(std::string_view token) {
  DecimalParts parts;
  if (!SplitDecimal(token, parts)) return std::nullopt;
  // The value is digits x 10^(exponent - fraction digits); leading and trailing zeros of the
  // digit string change nothing, so they are dropped first.
  std::string_view digits_int = parts.integer;
  std::string_view digits_frac = parts.fraction;
  int64_t scale = Exponent(parts.exponent) - static_cast<int64_t>(digits_frac.size());
  while (!digits_frac.empty() && digits_frac.back() == '0') {
    digits_frac.remove_suffix(1);
    ++scale;
  }
  if (digits_frac.empty()) {
    while (!digits_int.empty() && digits_int.back() == '0') {
      digits_int.remove_suffix(1);
      ++scale;
    }
  }
  while (!digits_int.empty() && digits_int.front() == '0') digits_int.remove_prefix(1);
  if (digits_int.empty()) {
    while (!digits_frac.empty() && digits_frac.front() == '0') digits_frac.remove_prefix(1);
  }
  const size_t digit_count = digits_int.size() + digits_frac.size();
  if (digit_count == 0) return 0;  // zero in any spelling, -0 included
  if (parts.negative || scale < 0) return std::nullopt;
  if (static_cast<int64_t>(digit_count) + scale > 20) return std::nullopt;
  uint64_t value = 0;
  for (const char c : digits_int) {
    if (!AppendDigit(value, c)) return std::nullopt;
  }
  for (const char c : digits_frac) {
    if (!AppendDigit(value, c)) return std::nullopt;
  }
  for (int64_t i = 0; i < scale; ++i) {
    if (!AppendDigit(value, '0')) return std::nullopt;
  }
  return value;
}

bool ParseSampleValueSlowly(std::string_view token, double& value,
                            std::optional<uint64_t>& integer) {
  const std::optional<double> parsed = ParseValue(token);
  if (!parsed) return false;
  value = *parsed;
  integer = ParseExactInteger(token);
  return true;
}

std::optional<int64_t> ParseTimestamp(std::string_view token) {
  if (token.empty()) return std::nullopt;
  int64_t value = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace vmq::textformat::detail
