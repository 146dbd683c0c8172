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

// One worker, a queue of two: a third waiting check pushes out the oldest, which is answered
// kBusy without a bcrypt, and the newest is served first.
TEST(BasicAuthChecker, FullQueueAnswersOldestBusyAndServesNewestFirst) {
  // Cost 12: long enough (hundreds of ms) for the queue to fill while the worker is busy.
  const std::string slow_hash = Bcrypt("pass", 12);
  BasicAuthChecker checker({{"alice", slow_hash}}, {.workers = 1, .max_queued = 2});
  std::mutex mu;
  std::vector<std::string> order;
  std::map<std::string, AuthResult> results;
  std::promise<void> all_done;
  int remaining = 4;
  auto record = [&](std::string name) {
    return [&, name](AuthResult result) {
      const std::lock_guard<std::mutex> lock(mu);
      order.push_back(name + (result == AuthResult::kBusy ? ":busy" : ":done"));
      results[name] = result;
      if (--remaining == 0) all_done.set_value();
    };
  };
  auto header = [](const std::string& password) {
    return "Basic " + testing::Base64("alice:" + password);
  };
  checker.Check(header("first"), record("first"));  // taken by the worker at once
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  checker.Check(header("a"), record("a"));
  checker.Check(header("b"), record("b"));
  checker.Check(header("c"), record("c"));  // pushes out "a"
  ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<std::string>{"a:busy", "first:done", "c:done", "b:done"}));
  EXPECT_EQ(checker.bcrypt_runs(), 3);
  // Wrong passwords checked while others waited are flagged for a late answer; the last not.
  EXPECT_EQ(results["first"], AuthResult::kDeniedUnderLoad);
  EXPECT_EQ(results["c"], AuthResult::kDeniedUnderLoad);
  EXPECT_EQ(results["b"], AuthResult::kDenied);
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
  std::mutex mu;
  std::vector<std::string> order;
  std::map<std::string, AuthResult> results;
  std::promise<void> all_done;
  int remaining = 5;
  auto record = [&](std::string name) {
    return [&, name](AuthResult result) {
      const std::lock_guard<std::mutex> lock(mu);
      order.push_back(name + (result == AuthResult::kBusy ? ":busy" : ":done"));
      results[name] = result;
      if (--remaining == 0) all_done.set_value();
    };
  };
  auto header = [](const std::string& password) {
    return "Basic " + testing::Base64("alice:" + password);
  };
  checker.Check(header("first"), record("first"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  checker.Check(header("s1"), record("s1"), /*suspect=*/true);
  checker.Check(header("fresh"), record("fresh"));
  checker.Check(header("s2"), record("s2"), /*suspect=*/true);
  checker.Check(header("s3"), record("s3"), /*suspect=*/true);  // full: pushes out s1
  ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<std::string>{"s1:busy", "first:done", "fresh:done", "s3:done",
                                             "s2:done"}));
}

}  // namespace
}  // namespace vmq::expose
