#include "sim/page_template.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string_view>
#include <vector>

namespace vmq::sim {
namespace {

const std::vector<std::string_view> kIdle = {
    "# HELP vernemq_socket_open Sockets opened.",
    "# TYPE vernemq_socket_open counter",
    "vernemq_socket_open{node=\"VerneMQ@127.0.0.1\"} 3",
};

const std::vector<std::string_view> kUsed = {
    "# HELP vernemq_socket_open Sockets opened.",
    "# TYPE vernemq_socket_open counter",
    "vernemq_socket_open{node=\"VerneMQ@127.0.0.1\"} 9",
    "# HELP vernemq_put_us Put latency.",
    "# TYPE vernemq_put_us histogram",
    "vernemq_put_us_bucket{node=\"VerneMQ@127.0.0.1\",le=\"+Inf\"} 1",
    "vernemq_put_us_bucket{node=\"VerneMQ@127.0.0.1\",le=\"100\"} 0",
    "vernemq_put_us_count{node=\"VerneMQ@127.0.0.1\"} 1",
    "vernemq_put_us_sum{node=\"VerneMQ@127.0.0.1\"} 374",
};

TEST(PageTemplate, FamiliesMissingFromTheIdlePageAreLazy) {
  const PageTemplate tmpl = PageTemplate::FromPages(kIdle, kUsed);

  ASSERT_EQ(tmpl.families().size(), 2u);
  EXPECT_FALSE(tmpl.families()[0].lazy);
  EXPECT_TRUE(tmpl.families()[1].lazy);
  EXPECT_EQ(tmpl.families()[1].type, "histogram");
}

TEST(PageTemplate, KeepsIdleValuesAndStripsPrefixAndNode) {
  const PageTemplate tmpl = PageTemplate::FromPages(kIdle, kUsed);
  const auto line = tmpl.FindSample("socket_open");

  ASSERT_TRUE(line);
  EXPECT_EQ(tmpl.lines()[*line].idle_value, 3u);
  EXPECT_EQ(tmpl.lines()[*line].text, "");
  EXPECT_TRUE(tmpl.FindSample("put_us_bucket{le=\"100\"}"));
}

TEST(PageTemplate, FindsHistogramBucketsWithTheirBounds) {
  const PageTemplate tmpl = PageTemplate::FromPages(kIdle, kUsed);
  const auto histogram = tmpl.FindHistogram("put_us");

  ASSERT_TRUE(histogram);
  ASSERT_EQ(histogram->buckets.size(), 2u);
  EXPECT_EQ(histogram->buckets[0].second, std::nullopt);
  EXPECT_EQ(histogram->buckets[1].second, 100u);
  EXPECT_FALSE(tmpl.FindHistogram("socket_open"));
}

TEST(PageTemplate, RejectsAnIdlePageWithLinesTheUsedPageLacks) {
  std::vector<std::string_view> idle = kIdle;
  idle.push_back("vernemq_socket_open{node=\"VerneMQ@127.0.0.1\",extra=\"x\"} 0");

  EXPECT_THROW(PageTemplate::FromPages(idle, kUsed), std::invalid_argument);
}

TEST(PageTemplate, RejectsSamplesWhoseFirstLabelIsNotNode) {
  const std::vector<std::string_view> page = {"# HELP vernemq_a A.", "# TYPE vernemq_a counter",
                                              "vernemq_a{x=\"1\"} 0"};

  EXPECT_THROW(PageTemplate::FromPages(page, page), std::invalid_argument);
}

TEST(PageTemplate, TheEmbeddedVernemqPageHasTwoLazyHistograms) {
  int lazy = 0;
  for (const Family& family : PageTemplate::Vernemq212().families()) lazy += family.lazy ? 1 : 0;

  EXPECT_EQ(lazy, 2);
  EXPECT_EQ(PageTemplate::Vernemq212().lines().size(), 526u);
}

}  // namespace
}  // namespace vmq::sim
