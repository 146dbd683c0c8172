#ifndef VMQ_TEXTFORMAT_NUMBER_H_
#define VMQ_TEXTFORMAT_NUMBER_H_

#include <bit>
#include <cstdint>
#include <cstring>
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

// ParseSampleValue for a token that at least 8 readable bytes start (the token and whatever
// follows it in memory): a run of 1 to 8 digits is read in one 8-byte word rather than a loop
// whose length, and so whose exit, varies from sample to sample.
inline bool ParseSampleValueInWord(std::string_view token, double& value,
                                   std::optional<uint64_t>& integer) {
  if (token.size() - 1 >= 8) return ParseSampleValue(token, value, integer);  // also empty
  uint64_t bytes = 0;
  std::memcpy(&bytes, token.data(), sizeof(bytes));
  if constexpr (std::endian::native != std::endian::little) {
    return ParseSampleValue(token, value, integer);
  }
  // The token to the top of the word and '0's below it: leading zeros change nothing.
  const unsigned unused_bits = 8 * static_cast<unsigned>(8 - token.size());
  constexpr uint64_t kZeros = 0x3030303030303030;
  bytes = (bytes << unused_bits) | (kZeros & ((uint64_t{1} << unused_bits) - 1));
  // Every byte in '0'..'9': high nibble 3, and adding 6 leaves the high nibble at 3.
  constexpr uint64_t kHigh = 0xf0f0f0f0f0f0f0f0;
  if (((bytes & kHigh) | (((bytes + 0x0606060606060606) & kHigh) >> 4)) != 0x3333333333333333) {
    return ParseSampleValue(token, value, integer);
  }
  // Pairs, then quads, then all eight digits (first digit in the lowest byte).
  uint64_t digits = bytes - kZeros;
  digits = digits * 10 + (digits >> 8);
  digits = (((digits & 0x000000ff000000ff) * 0x000f424000000064) +
            (((digits >> 16) & 0x000000ff000000ff) * 0x0000271000000001)) >>
           32;
  digits &= 0xffffffff;
  value = static_cast<double>(digits);
  integer = digits;
  return true;
}

// A timestamp in milliseconds: an optionally negative decimal int64.
std::optional<int64_t> ParseTimestamp(std::string_view token);

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_NUMBER_H_
