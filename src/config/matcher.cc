#include "config/matcher.h"

#include <re2/re2.h>

#include <utility>

namespace vmq::config {

bool LabelMatcher::Matches(std::string_view value) const {
  return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *regex);
}

namespace detail {

LabelMatcher MakeMatcher(std::string label, std::string pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // the error becomes a config error instead
  auto regex = std::make_shared<const RE2>(pattern, options);
  if (!regex->ok()) throw InvalidPattern(regex->error());
  return LabelMatcher{std::move(label), std::move(pattern), std::move(regex)};
}

}  // namespace detail
}  // namespace vmq::config
