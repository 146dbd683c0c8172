#include "expose/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

namespace vmq::expose {
namespace {

// A bcrypt hash of a random password: unknown users are checked against it so that they take
// as long as known ones and response times do not reveal which user names exist.
constexpr char kDecoyHash[] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

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
  // crypt() reads C strings: a password with a NUL would be checked as its prefix. bcrypt
  // ignores every byte after the 72nd: a longer password would pass as any of its extensions.
  if (password.find('\0') != std::string::npos) return false;
  if (password.size() > kMaxBcryptPasswordBytes) return false;
  auto data = std::make_unique<crypt_data>();  // about 32 KiB; kept off the stack
  const char* result = crypt_r(password.c_str(), hash.c_str(), data.get());
  // libxcrypt returns NULL or a string starting with '*' for a hash it cannot use.
  if (result == nullptr || result[0] == '*') return false;
  return ConstantTimeEquals(result, hash);
}

BasicAuthChecker::BasicAuthChecker(std::map<std::string, std::string> bcrypt_hashes,
                                   AuthLimits limits)
    : hashes_(std::move(bcrypt_hashes)), limits_(limits) {
  if (RAND_bytes(hmac_key_.data(), static_cast<int>(hmac_key_.size())) != 1) {
    throw std::runtime_error("cannot draw a random key for the credential cache");
  }
  limits_.workers = std::max(limits_.workers, 1);
  limits_.max_queued = std::max<size_t>(limits_.max_queued, 1);
  for (int i = 0; i < limits_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

BasicAuthChecker::~BasicAuthChecker() {
  {
    const std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

BasicAuthChecker::Digest BasicAuthChecker::DigestOf(const std::string& user,
                                                    const std::string& password) const {
  // User and password are length-prefixed so that ("ab", "c") and ("a", "bc") differ.
  const std::string key = std::to_string(user.size()) + ":" + user + password;
  Digest digest;
  unsigned int length = 0;
  HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
       reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest.data(), &length);
  OPENSSL_cleanse(const_cast<char*>(key.data()), key.size());
  return digest;
}

AuthResult BasicAuthChecker::Cached(const Digest& digest) {
  const std::lock_guard<std::mutex> lock(cache_mutex_);
  bool passed = false;
  for (const Digest& known : passed_) {
    passed |= CRYPTO_memcmp(known.data(), digest.data(), digest.size()) == 0;
  }
  if (passed) return AuthResult::kAllowed;
  // An ordered lookup may leak, by its timing, how close a digest is to one that failed:
  // nothing an attacker does not already know.
  if (failed_.contains(digest)) return AuthResult::kDenied;
  return AuthResult::kBusy;
}

bool BasicAuthChecker::RunBcrypt(const std::string& user, const std::string& password,
                                 const Digest& digest) {
  std::string hash;
  uint64_t version = 0;
  {
    const std::lock_guard<std::mutex> lock(cache_mutex_);
    const auto found = hashes_.find(user);
    if (found != hashes_.end()) hash = found->second;
    version = users_version_;
  }
  ++bcrypt_runs_;
  const bool ok = BcryptMatches(password, hash.empty() ? kDecoyHash : hash) && !hash.empty();
  const std::lock_guard<std::mutex> lock(cache_mutex_);
  if (version != users_version_) return ok;  // the users changed meanwhile: not cached
  if (ok) {
    if (passed_.size() >= limits_.max_cached_passes) passed_.clear();
    passed_.push_back(digest);
  } else {
    if (failed_.size() >= limits_.max_cached_failures) failed_.clear();
    failed_.insert(digest);
  }
  return ok;
}

void BasicAuthChecker::SetUsers(std::map<std::string, std::string> bcrypt_hashes) {
  const std::lock_guard<std::mutex> lock(cache_mutex_);
  if (bcrypt_hashes == hashes_) return;
  hashes_ = std::move(bcrypt_hashes);
  ++users_version_;
  passed_.clear();
  failed_.clear();
}

bool BasicAuthChecker::Allows(std::string_view authorization) {
  std::string user;
  std::string password;
  if (!detail::ParseBasicAuthorization(authorization, &user, &password)) return false;
  return Allows(user, password);
}

bool BasicAuthChecker::Allows(const std::string& user, const std::string& password) {
  const Digest digest = DigestOf(user, password);
  const AuthResult cached = Cached(digest);
  if (cached != AuthResult::kBusy) return cached == AuthResult::kAllowed;
  return RunBcrypt(user, password, digest);
}

void BasicAuthChecker::Check(std::string_view authorization, Done done, bool suspect) {
  Job job;
  if (!detail::ParseBasicAuthorization(authorization, &job.user, &job.password)) {
    done(AuthResult::kDenied);
    return;
  }
  job.digest = DigestOf(job.user, job.password);
  const AuthResult cached = Cached(job.digest);
  if (cached != AuthResult::kBusy) {
    done(cached);
    return;
  }
  job.done = std::move(done);
  Done pushed_out;
  {
    const std::lock_guard<std::mutex> lock(queue_mutex_);
    if (fresh_.size() + suspect_.size() >= limits_.max_queued) {
      std::deque<Job>& oldest = suspect_.empty() ? fresh_ : suspect_;
      pushed_out = std::move(oldest.front().done);
      oldest.pop_front();
    }
    (suspect ? suspect_ : fresh_).push_back(std::move(job));
  }
  queue_cv_.notify_one();
  if (pushed_out) pushed_out(AuthResult::kBusy);
}

void BasicAuthChecker::WorkerLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !fresh_.empty() || !suspect_.empty(); });
      if (stopping_) return;
      std::deque<Job>& next = fresh_.empty() ? suspect_ : fresh_;
      job = std::move(next.back());  // newest first
      next.pop_back();
    }
    // The same credentials may have been checked while this job waited.
    AuthResult result = Cached(job.digest);
    if (result == AuthResult::kBusy) {
      result = RunBcrypt(job.user, job.password, job.digest) ? AuthResult::kAllowed
                                                             : AuthResult::kDenied;
      const std::lock_guard<std::mutex> lock(queue_mutex_);
      if (result == AuthResult::kDenied && (!fresh_.empty() || !suspect_.empty())) {
        result = AuthResult::kDeniedUnderLoad;
      }
    }
    OPENSSL_cleanse(job.password.data(), job.password.size());
    job.done(result);
  }
}

}  // namespace vmq::expose
