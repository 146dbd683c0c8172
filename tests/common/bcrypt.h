#ifndef VMQ_TESTS_COMMON_BCRYPT_H_
#define VMQ_TESTS_COMMON_BCRYPT_H_

#include <crypt.h>

#include <string>

namespace vmq::testing {

// bcrypt of `password` with a fresh random $2b$ salt at the lowest cost, made by libcrypt
// itself, so tests do not depend on a hash copied from elsewhere. "" on failure. Needs -lcrypt.
inline std::string Bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof(salt)) == nullptr) return "";
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), salt, &data);
  return hash == nullptr ? "" : hash;
}

}  // namespace vmq::testing

#endif  // VMQ_TESTS_COMMON_BCRYPT_H_
