#include "expose/basic_auth.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/bcrypt.h"

namespace vmq::expose {
namespace {

using testing::Bcrypt;

std::string BasicHeader(const std::string& base64) { return "Basic " + base64; }

TEST(Bcrypt, MatchesTheRightPasswordOnly) {
  const std::string hash = Bcrypt("correct horse");
  ASSERT_EQ(hash.substr(0, 7), "$2b$04$");
  EXPECT_TRUE(BcryptMatches("correct horse", hash));
  EXPECT_FALSE(BcryptMatches("correct horsf", hash));
  EXPECT_FALSE(BcryptMatches("", hash));
}

TEST(Bcrypt, AcceptsPublishedTestVectorAndTwoYPrefix) {
  // From Solar Designer's crypt_blowfish test vectors.
  EXPECT_TRUE(BcryptMatches("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_TRUE(BcryptMatches("U*U", "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_FALSE(
      BcryptMatches("U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
}

TEST(Bcrypt, RefusesMalformedHashAndPasswordWithNul) {
  EXPECT_FALSE(BcryptMatches("x", "not a hash"));
  EXPECT_FALSE(BcryptMatches("x", ""));
  const std::string hash = Bcrypt("ab");
  EXPECT_FALSE(BcryptMatches(std::string("ab\0c", 4), hash));
}

// bcrypt ignores what follows byte 72, so any suffix of a valid 72-byte password would pass.
TEST(Bcrypt, RefusesPasswordsLongerThanBcryptReads) {
  const std::string password(72, 'p');
  const std::string hash = Bcrypt(password);
  EXPECT_TRUE(BcryptMatches(password, hash));
  EXPECT_FALSE(BcryptMatches(password + "anything", hash));
  EXPECT_FALSE(BcryptMatches(password + "p", hash));
}

TEST(BasicAuthorizationHeader, SplitsUserAndPassword) {
  std::string user;
  std::string password;
  // "alice:pa:ss" -- the password may contain ':'.
  ASSERT_TRUE(detail::ParseBasicAuthorization("Basic YWxpY2U6cGE6c3M=", &user, &password));
  EXPECT_EQ(user, "alice");
  EXPECT_EQ(password, "pa:ss");
  ASSERT_TRUE(detail::ParseBasicAuthorization("basic YWxpY2U6", &user, &password));
  EXPECT_EQ(password, "");
}

TEST(BasicAuthorizationHeader, RefusesOtherSchemesAndMalformedValues) {
  std::string user;
  std::string password;
  EXPECT_FALSE(detail::ParseBasicAuthorization("", &user, &password));
  EXPECT_FALSE(detail::ParseBasicAuthorization("Bearer YWxpY2U6cGFzcw==", &user, &password));
  EXPECT_FALSE(detail::ParseBasicAuthorization("Basic !!!!", &user, &password));
  EXPECT_FALSE(detail::ParseBasicAuthorization("Basic YWxpY2U=", &user, &password));  // no ':'
}

TEST(BasicAuthChecker, AllowsKnownUserWithRightPasswordOnly) {
  BasicAuthChecker checker({{"alice", Bcrypt("pass")}});
  EXPECT_TRUE(checker.Allows(BasicHeader("YWxpY2U6cGFzcw==")));   // alice:pass
  EXPECT_FALSE(checker.Allows(BasicHeader("YWxpY2U6cGFzeA==")));  // alice:pasx
  EXPECT_FALSE(checker.Allows(BasicHeader("Ym9iOnBhc3M=")));      // bob:pass
  EXPECT_FALSE(checker.Allows(""));
}

TEST(BasicAuthChecker, RemembersCredentialsThatPassedAndThatFailed) {
  BasicAuthChecker checker({{"alice", Bcrypt("pass")}});
  ASSERT_TRUE(checker.Allows("alice", "pass"));
  ASSERT_TRUE(checker.Allows("alice", "pass"));
  EXPECT_EQ(checker.bcrypt_runs(), 1);
  EXPECT_FALSE(checker.Allows("alice", "wrong"));
  EXPECT_FALSE(checker.Allows("alice", "wrong"));
  EXPECT_EQ(checker.bcrypt_runs(), 2);
  EXPECT_FALSE(checker.Allows("alice", "wrong2"));
  EXPECT_EQ(checker.bcrypt_runs(), 3);
}

TEST(BasicAuthChecker, CachesStayBoundedAndStillAnswerRight) {
  BasicAuthChecker checker({{"alice", Bcrypt("pass")}},
                           {.max_cached_passes = 1, .max_cached_failures = 2});
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(checker.Allows("alice", "wrong" + std::to_string(i)));
  EXPECT_TRUE(checker.Allows("alice", "pass"));
  EXPECT_FALSE(checker.Allows("alice", "wrong0"));  // pushed out, checked again
  EXPECT_EQ(checker.bcrypt_runs(), 7);
}

// Runs Check and waits for its answer.
AuthResult CheckAndWait(BasicAuthChecker& checker, const std::string& header) {
  std::promise<AuthResult> answer;
  checker.Check(header, [&answer](AuthResult result) { answer.set_value(result); });
  return answer.get_future().get();
}

TEST(BasicAuthChecker, CheckAnswersOffTheCallersThreadAndUsesTheCache) {
  BasicAuthChecker checker({{"alice", Bcrypt("pass")}});
  EXPECT_EQ(CheckAndWait(checker, BasicHeader("YWxpY2U6cGFzcw==")), AuthResult::kAllowed);
  EXPECT_EQ(CheckAndWait(checker, BasicHeader("YWxpY2U6cGFzeA==")), AuthResult::kDenied);
  EXPECT_EQ(CheckAndWait(checker, "Bearer x"), AuthResult::kDenied);
  EXPECT_EQ(CheckAndWait(checker, BasicHeader("YWxpY2U6cGFzcw==")), AuthResult::kAllowed);
  EXPECT_EQ(checker.bcrypt_runs(), 2);
}

// Records, for checks answered on worker threads, in which order they finished and how.
class FinishedChecks {
 public:
  explicit FinishedChecks(int expected) : remaining_(expected) {}

  BasicAuthChecker::Done Record(std::string name) {
    return [this, name](AuthResult result) {
      const std::lock_guard<std::mutex> lock(mu_);
      order_.push_back(name + (result == AuthResult::kBusy ? ":busy" : ":done"));
      results_[name] = result;
      if (--remaining_ == 0) all_done_.set_value();
    };
  }
  bool WaitForAll() {
    return all_done_.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  }
  const std::vector<std::string>& order() const { return order_; }
  AuthResult result(const std::string& name) { return results_.at(name); }

 private:
  std::mutex mu_;
  std::vector<std::string> order_;
  std::map<std::string, AuthResult> results_;
  std::promise<void> all_done_;
  int remaining_;
};

std::string AliceWith(const std::string& password) {
  return "Basic " + testing::Base64("alice:" + password);
}

// One worker, a queue of two: a third waiting check pushes out the oldest, which is answered
// kBusy without a bcrypt, and the newest is served first.
TEST(BasicAuthChecker, FullQueueAnswersOldestBusyAndServesNewestFirst) {
  // Cost 12: long enough (hundreds of ms) for the queue to fill while the worker is busy.
  const std::string slow_hash = Bcrypt("pass", 12);
  BasicAuthChecker checker({{"alice", slow_hash}}, {.workers = 1, .max_queued = 2});
  FinishedChecks finished(4);
  checker.Check(AliceWith("first"), finished.Record("first"));  // taken by the worker at once
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  checker.Check(AliceWith("a"), finished.Record("a"));
  checker.Check(AliceWith("b"), finished.Record("b"));
  checker.Check(AliceWith("c"), finished.Record("c"));  // pushes out "a"
  ASSERT_TRUE(finished.WaitForAll());
  EXPECT_EQ(finished.order(),
            (std::vector<std::string>{"a:busy", "first:done", "c:done", "b:done"}));
  EXPECT_EQ(checker.bcrypt_runs(), 3);
  // Wrong passwords checked while others waited are flagged for a late answer; the last not.
  EXPECT_EQ(finished.result("first"), AuthResult::kDeniedUnderLoad);
  EXPECT_EQ(finished.result("c"), AuthResult::kDeniedUnderLoad);
  EXPECT_EQ(finished.result("b"), AuthResult::kDenied);
}

TEST(BasicAuthChecker, CacheKeySeparatesUserFromPassword) {
  BasicAuthChecker checker({{"ab", Bcrypt("c")}, {"a", Bcrypt("x")}});
  ASSERT_TRUE(checker.Allows("ab", "c"));
  EXPECT_FALSE(checker.Allows("a", "bc"));
}

TEST(BasicAuthChecker, UnknownUserCostsABcryptLikeAKnownOne) {
  BasicAuthChecker checker({{"alice", Bcrypt("pass")}});
  EXPECT_FALSE(checker.Allows("mallory", "pass"));
  EXPECT_EQ(checker.bcrypt_runs(), 1);
}

TEST(BasicAuthChecker, SuspectChecksWaitBehindFreshOnes) {
  const std::string slow_hash = Bcrypt("pass", 12);
  BasicAuthChecker checker({{"alice", slow_hash}}, {.workers = 1, .max_queued = 3});
  FinishedChecks finished(5);
  checker.Check(AliceWith("first"), finished.Record("first"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  checker.Check(AliceWith("s1"), finished.Record("s1"), /*suspect=*/true);
  checker.Check(AliceWith("fresh"), finished.Record("fresh"));
  checker.Check(AliceWith("s2"), finished.Record("s2"), /*suspect=*/true);
  checker.Check(AliceWith("s3"), finished.Record("s3"), /*suspect=*/true);  // full: pushes out s1
  ASSERT_TRUE(finished.WaitForAll());
  EXPECT_EQ(finished.order(), (std::vector<std::string>{"s1:busy", "first:done", "fresh:done",
                                                        "s3:done", "s2:done"}));
}

}  // namespace
}  // namespace vmq::expose
