#include "expose/basic_auth.h"

#include <crypt.h>
#include <openssl/sha.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

namespace vmq::expose {
namespace {

// A bcrypt hash of a random password: unknown users are checked against it so that they take
// as long as known ones and response times do not reveal which user names exist.
constexpr char kDecoyHash[] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
constexpr size_t kMaxCachedCredentials = 256;

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = Base64Value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned int>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

namespace detail {

bool ParseBasicAuthorization(std::string_view header, std::string* user, std::string* password) {
  constexpr std::string_view kScheme = "basic ";
  if (!StartsWithIgnoringCase(header, kScheme)) return false;
  std::string_view encoded = header.substr(kScheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  const std::optional<std::string> decoded = DecodeBase64(encoded);
  if (!decoded) return false;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  *user = decoded->substr(0, colon);
  *password = decoded->substr(colon + 1);
  return true;
}

}  // namespace detail

bool BcryptMatches(const std::string& password, const std::string& hash) {
  // crypt() reads C strings: a password with a NUL would be checked as its prefix.
  if (password.find('\0') != std::string::npos) return false;
  auto data = std::make_unique<crypt_data>();  // about 32 KiB; kept off the stack
  const char* result = crypt_r(password.c_str(), hash.c_str(), data.get());
  // libxcrypt returns NULL or a string starting with '*' for a hash it cannot use.
  if (result == nullptr || result[0] == '*') return false;
  return ConstantTimeEquals(result, hash);
}

BasicAuthChecker::BasicAuthChecker(std::map<std::string, std::string> bcrypt_hashes)
    : hashes_(std::move(bcrypt_hashes)) {}

BasicAuthChecker::~BasicAuthChecker() = default;

bool BasicAuthChecker::Allows(std::string_view authorization) {
  std::string user;
  std::string password;
  if (!detail::ParseBasicAuthorization(authorization, &user, &password)) return false;
  return Allows(user, password);
}

bool BasicAuthChecker::Allows(const std::string& user, const std::string& password) {
  // User and password are length-prefixed so that ("ab", "c") and ("a", "bc") differ.
  const std::string key = std::to_string(user.size()) + ":" + user + password;
  Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest.data());
  {
    const std::lock_guard<std::mutex> lock(cache_mutex_);
    if (passed_.contains(digest)) return true;
  }
  const auto found = hashes_.find(user);
  bool ok = false;
  {
    const std::lock_guard<std::mutex> lock(bcrypt_mutex_);
    ++bcrypt_runs_;
    ok = BcryptMatches(password, found == hashes_.end() ? kDecoyHash : found->second);
  }
  if (!ok || found == hashes_.end()) return false;
  const std::lock_guard<std::mutex> lock(cache_mutex_);
  if (passed_.size() >= kMaxCachedCredentials) passed_.clear();
  passed_.insert(digest);
  return true;
}

}  // namespace vmq::expose
