#include "config/matcher.h"

#include <regex>
#include <utility>

namespace vmq::config {

bool LabelMatcher::Matches(std::string_view value) const {
  return std::regex_match(value.begin(), value.end(), regex);
}

namespace detail {

LabelMatcher MakeMatcher(std::string label, std::string pattern) {
  std::regex regex(pattern, std::regex::ECMAScript);
  return LabelMatcher{std::move(label), std::move(pattern), std::move(regex)};
}

}  // namespace detail
}  // namespace vmq::config
