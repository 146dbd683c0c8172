#include "docs/shell_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vmq::docs {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Programs(const std::string& line) {
  std::vector<std::string> programs;
  for (const SimpleCommand& command : SimpleCommands(line)) programs.push_back(command.program);
  return programs;
}

TEST(CommandLines, JoinsContinuationsAndDropsComments) {
  EXPECT_THAT(CommandLines("make run    # builds\n\nmake test\n"),
              ElementsAre("make run", "make test"));
  EXPECT_THAT(CommandLines("a --x \\\n  > out\n"), ElementsAre("a --x > out"));
  EXPECT_THAT(CommandLines("jq '{a: 1,\n     b: 2}' f |\n  curl -d @-\n"),
              ElementsAre("jq '{a: 1, b: 2}' f | curl -d @-"));
}

TEST(CommandLines, KeepsAHashInsideAWordOrQuotes) {
  EXPECT_THAT(CommandLines("curl 'x#y' a#b\n"), ElementsAre("curl 'x#y' a#b"));
}

TEST(ConsoleScript, KeepsOnlyThePromptedLines) {
  EXPECT_EQ(ConsoleScript("$ make \\\n  test\noutput\n$ ls\nfile\n"), "make \\\n  test\nls\n");
}

TEST(SimpleCommands, FindsEveryProgramOfAPipelineAndList) {
  EXPECT_THAT(Programs("curl -s x | grep -m3 'a|b' && echo ok; kubectl apply -k d &"),
              ElementsAre("curl", "grep", "echo", "kubectl"));
}

TEST(SimpleCommands, SkipsAssignmentsAndLooksInsideCommandSubstitution) {
  EXPECT_THAT(Programs("C=$(jq .control \"$ports\")"), ElementsAre("jq"));
  EXPECT_THAT(Programs("ports=$(mktemp -d)/ports.json"), ElementsAre("mktemp"));
  EXPECT_THAT(Programs("DEMO_EXIT_WHEN_FIRING=1 make demo"), ElementsAre("make"));
}

TEST(SimpleCommands, SkipsLoopKeywords) {
  EXPECT_THAT(Programs("until [ -s \"$f\" ]; do sleep 0.1; done"), ElementsAre("[", "sleep"));
  EXPECT_THAT(Programs("for f in a b; do cat $f; done"), ElementsAre("cat"));
}

TEST(SimpleCommands, KeepsRedirectionsAsArguments) {
  const auto commands = SimpleCommands("make -n install PREFIX=/usr 2>&1 > log");
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_THAT(commands[0].arguments,
              ElementsAre("-n", "install", "PREFIX=/usr", "2>&1", ">", "log"));
}

TEST(SimpleCommands, RemovesQuotes) {
  const auto commands = SimpleCommands("docker inspect -f '{{.State.Health.Status}}' \"a b\"");
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_THAT(commands[0].arguments,
              ElementsAre("inspect", "-f", "{{.State.Health.Status}}", "a b"));
  EXPECT_THAT(SimpleCommands("   "), IsEmpty());
}

TEST(CollapseSpace, MakesRunsOfSpaceOne) { EXPECT_EQ(CollapseSpace("  a \t b\n\n c  "), "a b c"); }

}  // namespace
}  // namespace vmq::docs
