#ifndef VMQ_CONFIG_MATCHER_H_
#define VMQ_CONFIG_MATCHER_H_

#include <string>

#include "config/config.h"

namespace vmq::config::detail {

// Compiles `pattern` (ECMAScript) once, at start-up. Throws std::regex_error when it is not
// a valid regular expression.
LabelMatcher MakeMatcher(std::string label, std::string pattern);

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_MATCHER_H_
