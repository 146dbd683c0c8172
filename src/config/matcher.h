#ifndef VMQ_CONFIG_MATCHER_H_
#define VMQ_CONFIG_MATCHER_H_

#include <stdexcept>
#include <string>

#include "config/config.h"

namespace vmq::config::detail {

// A pattern RE2 cannot compile; what() is RE2's reason.
class InvalidPattern : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Compiles `pattern` (RE2 syntax) once, at start-up. Throws InvalidPattern when it is not a
// valid regular expression.
LabelMatcher MakeMatcher(std::string label, std::string pattern);

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_MATCHER_H_
