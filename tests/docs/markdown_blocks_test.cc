#include "docs/markdown_blocks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vmq::docs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ScanMarkdown, FindsLanguageLineAndBody) {
  const ScanResult result = ScanMarkdown("# Title\n\n```yaml\na: 1\nb: 2\n```\ntext\n", "x.md");
  ASSERT_EQ(result.blocks.size(), 1u);
  EXPECT_EQ(result.blocks[0].language, "yaml");
  EXPECT_EQ(result.blocks[0].line, 3);
  EXPECT_EQ(result.blocks[0].body, "a: 1\nb: 2\n");
  EXPECT_EQ(Where(result.blocks[0]), "x.md:3");
  EXPECT_THAT(result.problems, IsEmpty());
}

TEST(ScanMarkdown, RemovesTheIndentationOfAFenceInAListItem) {
  const ScanResult result = ScanMarkdown("1. Run:\n\n   ```sh\n   a \\\n     b\n   ```\n", "x.md");
  ASSERT_EQ(result.blocks.size(), 1u);
  EXPECT_EQ(result.blocks[0].body, "a \\\n  b\n");
}

TEST(ScanMarkdown, TakesTheMarkerOnTheLineRightBeforeTheFence) {
  const ScanResult result = ScanMarkdown(
      "   <!-- docs-test: not-run: needs a cluster -->\n   ```sh\n   kubectl get pods\n   ```\n"
      "```\nplain\n```\n",
      "x.md");
  ASSERT_EQ(result.blocks.size(), 2u);
  EXPECT_EQ(result.blocks[0].marker, "not-run: needs a cluster");
  EXPECT_EQ(result.blocks[1].marker, "");
  EXPECT_EQ(result.blocks[1].language, "");
}

TEST(ScanMarkdown, ReportsAMarkerThatIsNotRightBeforeAFence) {
  const ScanResult result =
      ScanMarkdown("<!-- docs-test: not-run: x -->\n\n```sh\nkubectl\n```\n", "x.md");
  EXPECT_THAT(result.problems,
              ElementsAre(HasSubstr("x.md:1: docs-test marker is not on the line")));
}

TEST(ScanMarkdown, ReportsAFenceThatIsNeverClosed) {
  const ScanResult result = ScanMarkdown("text\n```sh\nmake\n", "x.md");
  EXPECT_THAT(result.blocks, IsEmpty());
  EXPECT_THAT(result.problems, ElementsAre("x.md:2: code fence is never closed"));
}

TEST(ScanMarkdown, ClosesOnlyOnAFenceOfTheSameCharacterAndLength) {
  const ScanResult result =
      ScanMarkdown("````markdown\n```sh\nmake\n```\n````\n~~~\n```\n~~~\n", "x.md");
  ASSERT_EQ(result.blocks.size(), 2u);
  EXPECT_EQ(result.blocks[0].language, "markdown");
  EXPECT_EQ(result.blocks[0].body, "```sh\nmake\n```\n");
  EXPECT_EQ(result.blocks[1].body, "```\n");
}

TEST(ScanMarkdown, IgnoresInlineCode) {
  const ScanResult result = ScanMarkdown("Run ```make``` now.\n", "x.md");
  EXPECT_THAT(result.blocks, IsEmpty());
  EXPECT_THAT(result.problems, IsEmpty());
}

}  // namespace
}  // namespace vmq::docs
