#include "expose/http_content.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace vmq::expose::detail {
namespace {

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(Gzip, RoundTripsThroughInflate) {
  std::string page;
  for (int i = 0; i < 1000; ++i) page += "vmq_metric{i=\"" + std::to_string(i) + "\"} 1\n";
  const std::string gzipped = Gzip(page);
  EXPECT_LT(gzipped.size(), page.size() / 4);
  EXPECT_EQ(Gunzip(gzipped), page);
  EXPECT_EQ(Gunzip(Gzip("")), "");
}

TEST(AcceptsGzip, ReadsTokensAndZeroQuality) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("x-gzip2"));
}

TEST(RequestPath, DropsQueryAndDecodesEscapes) {
  EXPECT_EQ(RequestPath("/metrics?x=1"), "/metrics");
  EXPECT_EQ(RequestPath("/%6detrics"), "/metrics");
  EXPECT_EQ(RequestPath("/"), "/");
  EXPECT_FALSE(RequestPath("metrics"));
  EXPECT_FALSE(RequestPath("http://host/metrics"));
  EXPECT_FALSE(RequestPath("/%6"));
  EXPECT_FALSE(RequestPath("/%zz"));
  EXPECT_FALSE(RequestPath(""));
}

}  // namespace
}  // namespace vmq::expose::detail
