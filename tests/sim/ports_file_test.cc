#include "sim/ports_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "common/fixtures.h"

namespace vmq::sim {
namespace {

TEST(PortsFile, ListsControlAndNodePortsInScenarioOrder) {
  EXPECT_EQ(PortsJson(41234, {{"vmq-1", 41235}, {"vmq-2", 41236}}),
            R"({"control": 41234, "nodes": {"vmq-1": 41235, "vmq-2": 41236}})");
}

TEST(PortsFile, WritesTheWholeFileAndLeavesNoTemporaryBehind) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vmq-sim-ports-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "ports.json").string();

  WriteFileAtomically(path, "{\"control\": 1}\n");
  WriteFileAtomically(path, "{\"control\": 2}\n");

  std::string content;
  ASSERT_TRUE(vmq::testing::ReadFile(path, &content));
  EXPECT_EQ(content, "{\"control\": 2}\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
  std::filesystem::remove_all(dir);
}

TEST(PortsFile, ThrowsWhenTheDirectoryIsMissing) {
  EXPECT_THROW(WriteFileAtomically("/nonexistent-vmq-sim-dir/ports.json", "{}"),
               std::runtime_error);
}

}  // namespace
}  // namespace vmq::sim
