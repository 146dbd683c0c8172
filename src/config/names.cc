#include "config/names.h"

#include <algorithm>

namespace vmq::config::detail {
namespace {

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <typename Pred>
bool AllOf(std::string_view text, Pred pred) {
  return std::all_of(text.begin(), text.end(), pred);
}

}  // namespace

bool IsMetricName(std::string_view name) {
  auto allowed = [](char c) { return IsLetter(c) || IsDigit(c) || c == '_' || c == ':'; };
  return !name.empty() && !IsDigit(name[0]) && AllOf(name, allowed);
}

bool IsLabelName(std::string_view name) {
  auto allowed = [](char c) { return IsLetter(c) || IsDigit(c) || c == '_'; };
  return !name.empty() && !IsDigit(name[0]) && AllOf(name, allowed);
}

bool IsTargetName(std::string_view name) {
  auto allowed = [](char c) {
    return IsLetter(c) || IsDigit(c) || c == '_' || c == '.' || c == ':' || c == '@' || c == '-';
  };
  return !name.empty() && AllOf(name, allowed);
}

bool IsSourceName(std::string_view name) {
  auto allowed = [](char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_'; };
  return !name.empty() && AllOf(name, allowed);
}

}  // namespace vmq::config::detail
