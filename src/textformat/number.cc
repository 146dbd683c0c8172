#include "textformat/number.h"

#include <charconv>
#include <system_error>

namespace vmq::textformat::detail {

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

std::optional<int64_t> ParseTimestamp(std::string_view token) {
  if (token.empty()) return std::nullopt;
  int64_t value = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace vmq::textformat::detail
