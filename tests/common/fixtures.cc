#include "fixtures.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vmq::testing {

std::string FixturePath(const std::string& relative) {
  const char* dir = std::getenv("VMQ_FIXTURES_DIR");
  return std::string(dir != nullptr ? dir : VMQ_DEFAULT_FIXTURES_DIR) + "/" + relative;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

std::string ReadFixture(const std::string& relative) {
  std::string text;
  if (!ReadFile(FixturePath(relative), &text)) {
    ADD_FAILURE() << "cannot read fixture " << FixturePath(relative);
  }
  return text;
}

}  // namespace vmq::testing
