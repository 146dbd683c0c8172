#include <string>
#include <utility>

#include "config/config.h"

namespace vmq::config {

ConfigError::ConfigError(std::string file, int line, int column, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                         message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(message) {}

}  // namespace vmq::config
