#ifndef VMQ_TEXTFORMAT_NUMBER_H_
#define VMQ_TEXTFORMAT_NUMBER_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmq::textformat::detail {

// A sample value: a decimal float or integer with an optional sign and exponent, or NaN/Inf
// in the spellings Go's ParseFloat accepts (so `+Inf`, `-Inf`, `Inf`, `NaN`, any case).
// Values outside the range of a double are rejected rather than silently turned into Inf.
std::optional<double> ParseValue(std::string_view token);

// The exact value of a decimal literal that denotes a non-negative integer representable in
// 64 bits (`42`, `+42`, `42.000`, `4.2e1`, `-0`), computed on the digits without a double in
// between; nullopt for any other literal, including `1.5`, `1e30`, `NaN` and `-1`.
std::optional<uint64_t> ParseExactInteger(std::string_view token);

// ParseValue and ParseExactInteger of one token, into `value` and `integer`; false (and
// neither touched) when ParseValue fails.
bool ParseSampleValueSlowly(std::string_view token, double& value,
                            std::optional<uint64_t>& integer);

// The same, with an inline shortcut for a plain run of at most 15 digits, what nearly every
// counter on a page is: it is below 2^53, so its double is the integer itself, which is what
// the general path computes too. Results go to references rather than into a returned
// optional struct: assembling one on the stack and copying it out cost a store-forwarding
// stall per sample.
inline bool ParseSampleValue(std::string_view token, double& value,
                             std::optional<uint64_t>& integer) {
  constexpr size_t kMaxExactDoubleDigits = 15;  // 10^15 - 1 < 2^53
  if (token.empty() || token.size() > kMaxExactDoubleDigits) {
    return ParseSampleValueSlowly(token, value, integer);
  }
  uint64_t digits = 0;
  for (const char c : token) {
    const auto digit = static_cast<unsigned char>(c - '0');
    if (digit > 9) return ParseSampleValueSlowly(token, value, integer);
    digits = digits * 10 + digit;
  }
  value = static_cast<double>(digits);
  integer = digits;
  return true;
}

// A timestamp in milliseconds: an optionally negative decimal int64.
std::optional<int64_t> ParseTimestamp(std::string_view token);

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_NUMBER_H_
