#ifndef VMQ_EXPOSE_BASIC_AUTH_H_
#define VMQ_EXPOSE_BASIC_AUTH_H_

// HTTP basic authentication against bcrypt hashes, as exporter-toolkit does it.

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace vmq::expose {

// Checks "Authorization: Basic ..." headers against a fixed set of users. bcrypt is slow on
// purpose (tens of milliseconds at cost 10), so a scraper sending the same credentials every
// few seconds would otherwise cost a bcrypt per scrape: credentials that passed are remembered
// as a SHA-256 digest of user and password (never in plain text). Failures are not remembered,
// so every wrong guess pays the full bcrypt cost. bcrypt runs one at a time, which bounds the
// CPU a flood of bad requests can take to one core. Thread-safe.
class BasicAuthChecker {
 public:
  explicit BasicAuthChecker(std::map<std::string, std::string> bcrypt_hashes);
  ~BasicAuthChecker();

  // `authorization` is the whole header value; empty or malformed is a refusal.
  bool Allows(std::string_view authorization);
  bool Allows(const std::string& user, const std::string& password);
  // How many bcrypt computations were needed so far; lets tests see the cache work.
  int bcrypt_runs() const { return bcrypt_runs_.load(); }

 private:
  using Digest = std::array<unsigned char, 32>;

  std::map<std::string, std::string> hashes_;
  std::mutex bcrypt_mutex_;
  std::mutex cache_mutex_;
  std::set<Digest> passed_;  // bounded: cleared when full
  std::atomic<int> bcrypt_runs_{0};
};

// bcrypt via libcrypt's crypt_r, compared in constant time. False for a malformed hash.
bool BcryptMatches(const std::string& password, const std::string& hash);

namespace detail {

// Splits a "Basic <base64 of user:password>" header value; false when it is not one.
bool ParseBasicAuthorization(std::string_view header, std::string* user, std::string* password);

}  // namespace detail

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_BASIC_AUTH_H_
