#include "sim/faults.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "sim/node_model.h"

namespace vmq::sim {
namespace {

std::string IdlePage() {
  FakeClock clock;
  return NodeModel(PageTemplate::Vernemq212(), clock).Render(PageStyle{});
}

TEST(TruncateMidLine, KeepsTheStartOfThePageAndCutsInsideALine) {
  const std::string page = IdlePage();
  const std::string cut = TruncateMidLine(page);

  ASSERT_LT(cut.size(), page.size());
  ASSERT_GT(cut.size(), page.size() / 2);
  EXPECT_EQ(page.substr(0, cut.size()), cut);
  EXPECT_NE(cut.back(), '\n');
  EXPECT_NE(page[cut.size()], '\n');
}

TEST(TruncateMidLine, CutsAOneLinePageInHalf) { EXPECT_EQ(TruncateMidLine("abcdef"), "abc"); }

TEST(GarbageBytes, IsNoiseOfTheAskedSizeThatDependsOnTheSeed) {
  const std::string a = GarbageBytes(4096, 1);

  EXPECT_EQ(a.size(), 4096u);
  EXPECT_EQ(GarbageBytes(4096, 1), a);
  EXPECT_NE(GarbageBytes(4096, 2), a);
  EXPECT_NE(a.find('\0'), std::string::npos);
}

}  // namespace
}  // namespace vmq::sim
