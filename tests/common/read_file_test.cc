#include "common/read_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "common/process.h"

namespace vmq {
namespace {

TEST(ReadFileCapped, ReadsWholeFileUpToCap) {
  testing::TempDir dir;
  const std::string path = dir.Write("secret", "0123456789");
  const FileContent file = ReadFileCapped(path, 10);
  ASSERT_TRUE(file.ok()) << file.error;
  EXPECT_EQ(file.content, "0123456789");
}

TEST(ReadFileCapped, ReadsEmptyFile) {
  testing::TempDir dir;
  const FileContent file = ReadFileCapped(dir.Write("empty", ""), 10);
  ASSERT_TRUE(file.ok()) << file.error;
  EXPECT_EQ(file.content, "");
}

TEST(ReadFileCapped, RefusesFileAboveCap) {
  testing::TempDir dir;
  const FileContent file = ReadFileCapped(dir.Write("big", "01234567890"), 10);
  EXPECT_FALSE(file.ok());
  EXPECT_EQ(file.error, "it is larger than 10 bytes");
  EXPECT_EQ(file.content, "");
}

TEST(ReadFileCapped, RefusesEndlessDeviceWithoutReadingIt) {
  const FileContent file = ReadFileCapped("/dev/zero", 1024);
  EXPECT_EQ(file.error, "it is not a regular file (a device, FIFO or socket)");
}

TEST(ReadFileCapped, RefusesFifoWithoutBlocking) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // No writer ever opens it: a blocking open would hang this test.
  const FileContent file = ReadFileCapped(path, 1024);
  EXPECT_EQ(file.error, "it is not a regular file (a device, FIFO or socket)");
}

TEST(ReadFileCapped, RefusesDirectory) {
  testing::TempDir dir;
  EXPECT_EQ(ReadFileCapped(dir.path(), 1024).error, "it is a directory");
}

TEST(ReadFileCapped, ReportsMissingFileWithErrno) {
  testing::TempDir dir;
  EXPECT_EQ(ReadFileCapped(dir.path() + "/missing", 1024).error, "No such file or directory");
}

}  // namespace
}  // namespace vmq
