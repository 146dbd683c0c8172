#include <string>

#include <gtest/gtest.h>

#include "config/config.h"

namespace vmq::config {
namespace {

struct GoodUrl {
  const char* text;
  const char* scheme;
  const char* host;
  int port;
  const char* path;
};

class AcceptsUrl : public ::testing::TestWithParam<GoodUrl> {};

TEST_P(AcceptsUrl, AndSplitsIt) {
  const GoodUrl& want = GetParam();
  Url url;
  std::string error;
  ASSERT_TRUE(ParseUrl(want.text, &url, &error)) << error;
  EXPECT_EQ(url.text, want.text);
  EXPECT_EQ(url.scheme, want.scheme);
  EXPECT_EQ(url.host, want.host);
  EXPECT_EQ(url.port, want.port);
  EXPECT_EQ(url.path, want.path);
}

INSTANTIATE_TEST_SUITE_P(
    Url, AcceptsUrl,
    ::testing::Values(
        GoodUrl{"http://127.0.0.1:8888/metrics", "http", "127.0.0.1", 8888, "/metrics"},
        GoodUrl{"https://vmq.example.com/metrics", "https", "vmq.example.com", 443, "/metrics"},
        GoodUrl{"http://vmq-1/metrics", "http", "vmq-1", 80, "/metrics"},
        GoodUrl{"http://10.0.0.7:8888", "http", "10.0.0.7", 8888, "/metrics"},
        GoodUrl{"https://vmq:8443", "https", "vmq", 8443, "/metrics"},
        GoodUrl{"http://vmq:8888/", "http", "vmq", 8888, "/"},
        GoodUrl{"http://[::1]:8888/metrics", "http", "::1", 8888, "/metrics"},
        GoodUrl{"https://[2001:db8::7]/metrics", "https", "2001:db8::7", 443, "/metrics"},
        GoodUrl{"http://[::ffff:10.0.0.7]:8888", "http", "::ffff:10.0.0.7", 8888, "/metrics"},
        GoodUrl{"HTTP://vmq:8888/x/metrics?a=1&b=2", "http", "vmq", 8888, "/x/metrics?a=1&b=2"},
        GoodUrl{"http://vmq:8888?debug=1", "http", "vmq", 8888, "/metrics?debug=1"},
        GoodUrl{"http://vmq:65535/", "http", "vmq", 65535, "/"}));

struct BadUrl {
  const char* text;
  const char* error;
};

class RejectsUrl : public ::testing::TestWithParam<BadUrl> {};

TEST_P(RejectsUrl, AndSaysWhy) {
  Url url;
  std::string error;
  EXPECT_FALSE(ParseUrl(GetParam().text, &url, &error));
  EXPECT_EQ(error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Url, RejectsUrl,
    ::testing::Values(
        BadUrl{"", "it is empty"},
        BadUrl{"127.0.0.1:8888/metrics",
               "it has no scheme; write it like http://HOST:PORT/metrics"},
        BadUrl{"ftp://vmq/metrics", "scheme \"ftp\" is not supported; use http or https"},
        BadUrl{"http:///metrics", "it has no host"}, BadUrl{"http://", "it has no host"},
        BadUrl{"http://:8888/metrics", "it has no host"},
        BadUrl{"http://vmq 1:8888/",
               "it contains a space or control character; percent-encode it as %20"},
        BadUrl{"http://vmq:8888/a b",
               "it contains a space or control character; percent-encode it as %20"},
        BadUrl{"http://vmq:/metrics", "the port after ':' is empty; remove the ':' or add a port"},
        BadUrl{"http://vmq:http/metrics", "port \"http\" is not a number"},
        BadUrl{"http://vmq:-1/metrics", "port \"-1\" is not a number"},
        BadUrl{"http://vmq:0/metrics", "port 0 is out of range (1-65535)"},
        BadUrl{"http://vmq:65536/metrics", "port 65536 is out of range (1-65535)"},
        BadUrl{"http://vmq:99999999999/metrics", "port 99999999999 is out of range (1-65535)"},
        BadUrl{"http://::1:8888/metrics",
               "an IPv6 address must be written in brackets, e.g. http://[::1]:8888/metrics"},
        BadUrl{"http://[::1/metrics", "the IPv6 address has no closing ']'"},
        BadUrl{"http://[vmq]:8888/", "\"[vmq]\" is not an IPv6 address"},
        BadUrl{"http://[]:8888/", "\"[]\" is not an IPv6 address"},
        BadUrl{"http://[::1]8888/",
               "unexpected \"8888\" after the IPv6 address; expected ':' and a port"},
        BadUrl{"http://user:pw@vmq:8888/", "user information (user@host) is not supported"},
        BadUrl{"http://vmq/metrics#top",
               "it has a fragment (#...), which is never sent to the server; remove it"},
        BadUrl{"http://vm*q/metrics",
               "the host \"vm*q\" contains '*', which a host name cannot contain"}));

}  // namespace
}  // namespace vmq::config
