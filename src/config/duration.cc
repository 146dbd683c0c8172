#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "config/config.h"

namespace vmq::config {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t millis;
};

// Largest first: the order a duration must use, and the order FormatDuration writes.
constexpr Unit kUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
};
constexpr int kUnitCount = sizeof(kUnits) / sizeof(kUnits[0]);

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Index into kUnits of the unit at the front of `text`, or -1. "ms" must win over "m".
int MatchUnit(std::string_view text) {
  int best = -1;
  for (int i = 0; i < kUnitCount; ++i) {
    if (text.starts_with(kUnits[i].suffix) &&
        (best < 0 || kUnits[i].suffix.size() > kUnits[best].suffix.size())) {
      best = i;
    }
  }
  return best;
}

bool AddChecked(int64_t count, int64_t unit_millis, int64_t* total) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (count > kMax / unit_millis) return false;
  const int64_t part = count * unit_millis;
  if (*total > kMax - part) return false;
  *total += part;
  return true;
}

}  // namespace

bool ParseDuration(std::string_view text, Millis* out) {
  if (text.empty()) return false;
  int64_t total = 0;
  int previous_unit = -1;
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() && IsDigit(text[digits])) ++digits;
    if (digits == 0) return false;
    int64_t count = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, count);
    if (ec != std::errc() || end != text.data() + digits) return false;
    text.remove_prefix(digits);
    const int unit = MatchUnit(text);
    if (unit <= previous_unit) return false;  // also covers "no unit" (-1)
    text.remove_prefix(kUnits[unit].suffix.size());
    if (!AddChecked(count, kUnits[unit].millis, &total)) return false;
    previous_unit = unit;
  }
  if (total == 0) return false;
  *out = Millis(total);
  return true;
}

std::string FormatDuration(Millis length) {
  int64_t rest = length.count();
  if (rest <= 0) return "0s";
  std::string text;
  for (const Unit& unit : kUnits) {
    if (rest >= unit.millis) {
      text += std::to_string(rest / unit.millis);
      text += unit.suffix;
      rest %= unit.millis;
    }
  }
  return text;
}

}  // namespace vmq::config
