#ifndef VMQ_TESTS_CONFIG_LOAD_ERROR_H_
#define VMQ_TESTS_CONFIG_LOAD_ERROR_H_

#include <string>

#include "config/config.h"

namespace vmq::testing {

// What loading `yaml` as "c.yaml" reports: the ConfigError's "c.yaml:LINE:COL: message", or
// "(accepted)" when the configuration is valid.
inline std::string ErrorOf(const std::string& yaml) {
  try {
    config::LoadString(yaml, "c.yaml");
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

}  // namespace vmq::testing

#endif  // VMQ_TESTS_CONFIG_LOAD_ERROR_H_
