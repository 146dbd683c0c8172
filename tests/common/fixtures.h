#ifndef VMQ_TESTS_COMMON_FIXTURES_H_
#define VMQ_TESTS_COMMON_FIXTURES_H_

#include <string>

namespace vmq::testing {

// Absolute path of a file under tests/fixtures (VMQ_FIXTURES_DIR, set by ctest).
std::string FixturePath(const std::string& relative);
// The file's bytes, exactly; fails the current test (and returns "") when unreadable.
std::string ReadFixture(const std::string& relative);
// Reads any file; returns false when it cannot.
bool ReadFile(const std::string& path, std::string* out);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_COMMON_FIXTURES_H_
