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

// A timestamp in milliseconds: an optionally negative decimal int64.
std::optional<int64_t> ParseTimestamp(std::string_view token);

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_NUMBER_H_
