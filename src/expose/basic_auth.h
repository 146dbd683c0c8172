#ifndef VMQ_EXPOSE_BASIC_AUTH_H_
#define VMQ_EXPOSE_BASIC_AUTH_H_

// HTTP basic authentication against bcrypt hashes, as exporter-toolkit does it.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace vmq::expose {

enum class AuthResult {
  kAllowed,
  kDenied,
  // Denied by a bcrypt while other checks were waiting for a worker: the server answers it
  // late (AuthLimits::failure_delay_under_load).
  kDeniedUnderLoad,
  kBusy,
};

struct AuthLimits {
  // bcrypt threads. bcrypt costs tens of milliseconds on purpose; it never runs on the
  // server's I/O threads, and this bounds the CPU a flood of wrong passwords can take.
  int workers = 2;
  // Checks waiting for a worker. When full, the oldest waiting check is answered kBusy without
  // a bcrypt (a suspect one first, see Check). Workers take the newest first, so a scraper
  // arriving during a flood does not wait behind the attackers' queue.
  size_t max_queued = 64;
  size_t max_cached_passes = 64;      // distinct credentials that passed
  size_t max_cached_failures = 4096;  // distinct credentials that failed
  // How late the server answers a kDeniedUnderLoad. A flood is a closed loop: each client
  // sends its next guess when its 401 arrives, so with newest-first alone a guess would arrive
  // after every check and overtake a scraper's check for good. Answering late keeps what the
  // flood can offer (clients / delay) under what the workers can check, so the queue drains.
  // Only checks that cost a bcrypt are delayed, so at most (bcrypt rate x delay) connections
  // are held; a wrong password with no flood is answered at once.
  std::chrono::milliseconds failure_delay_under_load{5000};
};

// Checks "Authorization: Basic ..." headers against a fixed set of users. Both outcomes of a
// bcrypt are remembered, keyed by an HMAC-SHA-256 of user and password under a key drawn at
// start-up (so neither passwords nor unsalted digests of them stay in memory): a scraper
// sending the same credentials every few seconds pays one bcrypt, and so does an attacker
// repeating one wrong password. The users cannot change while the process runs, so a cached
// outcome never goes stale. Both caches are bounded (cleared when full). Thread-safe.
class BasicAuthChecker {
 public:
  explicit BasicAuthChecker(std::map<std::string, std::string> bcrypt_hashes,
                            AuthLimits limits = {});
  ~BasicAuthChecker();
  BasicAuthChecker(const BasicAuthChecker&) = delete;
  BasicAuthChecker& operator=(const BasicAuthChecker&) = delete;

  // Synchronous: a cache hit, else bcrypt on the caller's thread. `authorization` is the whole
  // header value; empty or malformed is a refusal.
  bool Allows(std::string_view authorization);
  bool Allows(const std::string& user, const std::string& password);

  // Asynchronous, for the server's I/O threads: `done` runs at once for a cache hit or a
  // malformed header, else later on a worker thread (or with kBusy on the thread of a later
  // Check that pushed this one out of a full queue). The destructor lets the checks being
  // computed finish (their `done` runs) and drops the queued ones with their callbacks.
  //
  // `suspect`: the connection already sent wrong credentials. Suspect checks are served only
  // when no other check waits: a flood over kept-alive connections resubmits a guess as soon
  // as its 401 arrives, and under newest-first alone each resubmission would overtake a
  // scraper's check.
  using Done = std::function<void(AuthResult)>;
  void Check(std::string_view authorization, Done done, bool suspect = false);

  // Replaces the users (a rotated --web.config.file) and forgets every cached outcome. A
  // check being computed finishes against the users it started with; its outcome is not
  // cached.
  void SetUsers(std::map<std::string, std::string> bcrypt_hashes);

  // How many bcrypt computations were needed so far; lets tests see the caches work.
  int bcrypt_runs() const { return bcrypt_runs_.load(); }

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Job {
    std::string user;
    std::string password;
    Digest digest;
    Done done;
  };

  Digest DigestOf(const std::string& user, const std::string& password) const;
  // kBusy: not cached.
  AuthResult Cached(const Digest& digest);
  bool RunBcrypt(const std::string& user, const std::string& password, const Digest& digest);
  void WorkerLoop();

  std::map<std::string, std::string> hashes_;  // guarded by cache_mutex_
  uint64_t users_version_ = 0;                 // guarded by cache_mutex_; bumped by SetUsers
  AuthLimits limits_;
  std::array<unsigned char, 32> hmac_key_;

  std::mutex cache_mutex_;
  std::vector<Digest> passed_;  // scanned whole with a constant-time compare
  std::set<Digest> failed_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job> fresh_;    // newest at the back
  std::deque<Job> suspect_;  // newest at the back
  bool stopping_ = false;
  std::vector<std::thread> workers_;

  std::atomic<int> bcrypt_runs_{0};
};

// bcrypt reads at most this many bytes of a password.
inline constexpr size_t kMaxBcryptPasswordBytes = 72;

// bcrypt via libcrypt's crypt_r, compared in constant time. False for a malformed hash and for
// a password longer than kMaxBcryptPasswordBytes (which bcrypt would silently truncate).
bool BcryptMatches(const std::string& password, const std::string& hash);

namespace detail {

// Splits a "Basic <base64 of user:password>" header value; false when it is not one.
bool ParseBasicAuthorization(std::string_view header, std::string* user, std::string* password);

}  // namespace detail

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_BASIC_AUTH_H_
