#include "expose/basic_auth.h"

#include <gtest/gtest.h>

#include <string>

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

TEST(BasicAuthChecker, RemembersCredentialsThatPassedButNotFailures) {
  BasicAuthChecker checker({{"alice", Bcrypt("pass")}});
  ASSERT_TRUE(checker.Allows("alice", "pass"));
  ASSERT_TRUE(checker.Allows("alice", "pass"));
  EXPECT_EQ(checker.bcrypt_runs(), 1);
  EXPECT_FALSE(checker.Allows("alice", "wrong"));
  EXPECT_FALSE(checker.Allows("alice", "wrong"));
  EXPECT_EQ(checker.bcrypt_runs(), 3);
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

}  // namespace
}  // namespace vmq::expose
