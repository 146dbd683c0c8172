// Atomic replacement and bounded reads of state files on a real file system.

#include "storage/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/process.h"

namespace vmq::storage {
namespace {

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(FileIo, AtomicWriteReplacesTheFileAndLeavesNoTemporary) {
  vmq::testing::TempDir dir;
  const std::string path = dir.path() + "/t.state";
  std::string error;
  for (const bool durable : {true, false}) {
    ASSERT_TRUE(WriteFileAtomically(path, "first", durable, &error)) << error;
    ASSERT_TRUE(WriteFileAtomically(path, std::string(100'000, 'x'), durable, &error)) << error;
    EXPECT_EQ(Contents(path), std::string(100'000, 'x'));
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  }
}

// A write that fails (here: the directory is gone) reports why and leaves the old file.
TEST(FileIo, FailedAtomicWriteKeepsTheOldFile) {
  vmq::testing::TempDir dir;
  const std::string path = dir.path() + "/t.state";
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(path, "old", true, &error)) << error;
  // The temporary's name is taken by a directory: creating it fails.
  std::filesystem::create_directory(path + ".tmp");
  EXPECT_FALSE(WriteFileAtomically(path, "new", true, &error));
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
  EXPECT_EQ(Contents(path), "old");
  EXPECT_FALSE(WriteFileAtomically(dir.path() + "/missing/t.state", "x", true, &error));
}

// A process killed between writing the temporary and renaming it leaves the old file whole.
TEST(FileIo, AStaleTemporaryDoesNotAffectReadsOrTheNextWrite) {
  vmq::testing::TempDir dir;
  const std::string path = dir.path() + "/t.state";
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(path, "old", true, &error)) << error;
  std::ofstream(path + ".tmp") << "half a new fi";
  std::string read;
  ASSERT_EQ(ReadFileBounded(path, 100, &read, &error), ReadStatus::kOk);
  EXPECT_EQ(read, "old");
  ASSERT_TRUE(WriteFileAtomically(path, "new", true, &error)) << error;
  EXPECT_EQ(Contents(path), "new");
}

TEST(FileIo, AppendAddsToTheEnd) {
  vmq::testing::TempDir dir;
  const std::string path = dir.path() + "/t.journal";
  std::string error;
  EXPECT_FALSE(AppendToFile(path, "x", &error));  // the journal is created by a snapshot
  ASSERT_TRUE(WriteFileAtomically(path, "head|", false, &error)) << error;
  ASSERT_TRUE(AppendToFile(path, "one|", &error)) << error;
  ASSERT_TRUE(AppendToFile(path, "two", &error)) << error;
  EXPECT_EQ(Contents(path), "head|one|two");
}

TEST(FileIo, BoundedReadRefusesLargerFilesBeforeReading) {
  vmq::testing::TempDir dir;
  const std::string path = dir.path() + "/t.state";
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(path, std::string(1001, 'a'), false, &error));
  std::string out;
  EXPECT_EQ(ReadFileBounded(path, 1000, &out, &error), ReadStatus::kTooLarge);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(ReadFileBounded(path, 1001, &out, &error), ReadStatus::kOk);
  EXPECT_EQ(out.size(), 1001u);
  EXPECT_EQ(ReadFileBounded(dir.path() + "/none", 1000, &out, &error), ReadStatus::kMissing);
  EXPECT_EQ(ReadFileBounded(dir.path(), 1000, &out, &error), ReadStatus::kError);
}

TEST(FileIo, DirectoryIsCreatedAndSynced) {
  vmq::testing::TempDir dir;
  std::string error;
  const std::string nested = dir.path() + "/a/b";
  ASSERT_TRUE(EnsureWritableDirectory(nested, &error)) << error;
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_TRUE(SyncFileSystem(nested, &error)) << error;
  std::ofstream(dir.path() + "/file") << "x";
  EXPECT_FALSE(EnsureWritableDirectory(dir.path() + "/file", &error));
}

}  // namespace
}  // namespace vmq::storage
