// Purpose: tests of the durable file I/O helpers (base/file_io.h) on real
// files in a temporary directory.
#include "base/file_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "support/test_support.h"

namespace footfall {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(FileIoTest, ReplaceFileSwapsTheContentAtomicallyWithMode0600) {
  TempDir dir;
  const std::string path = dir.File("seq");
  WriteFile(path, "old\n");
  ASSERT_TRUE(ReplaceFile(path, "41\n", 3, /*durable=*/true, "sequence file"));
  EXPECT_EQ(ReadFile(path), "41\n");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(stat((path + ".tmp").c_str(), &st), 0) << "the temporary file is gone";
  // Not durable: the same content, without the syncs.
  ASSERT_TRUE(ReplaceFile(path, "42\n", 3, /*durable=*/false, "sequence file"));
  EXPECT_EQ(ReadFile(path), "42\n");
  // A stale temporary file from a crash is replaced, not an error.
  WriteFile(path + ".tmp", "junk");
  ASSERT_TRUE(ReplaceFile(path, "43\n", 3, true, ""));
  EXPECT_EQ(ReadFile(path), "43\n");
}

TEST(FileIoTest, ReplaceFileFailureNamesTheFileAndKeepsTheOld) {
  TempDir dir;
  const std::string missing = dir.File("no/such/seq");
  const Status s = ReplaceFile(missing, "1\n", 2, true, "sequence file");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), "cannot write sequence file " + missing + ".tmp: No such file or directory");
  // The target is a directory: the rename fails, the temporary file goes.
  const std::string target = dir.File("adir");
  ASSERT_TRUE(MakeDirs(target + "/inner"));
  const Status r = ReplaceFile(target, "x", 1, true, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().rfind("cannot replace " + target + ": ", 0), 0u) << r.error();
  struct stat st {};
  EXPECT_NE(stat((target + ".tmp").c_str(), &st), 0);
  EXPECT_EQ(stat((target + "/inner").c_str(), &st), 0);
}

TEST(FileIoTest, MakeDirsCreatesParentsAndRefusesAFileInTheWay) {
  TempDir dir;
  ASSERT_TRUE(MakeDirs(dir.File("a/b/c"), 0700));
  struct stat st {};
  ASSERT_EQ(stat(dir.File("a/b/c").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(MakeDirs(dir.File("a/b/c")));  // already there
  WriteFile(dir.File("file"), "x");
  const Status s = MakeDirs(dir.File("file/sub"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), dir.File("file") + " exists and is not a directory");
}

TEST(FileIoTest, WriteAllWritesEverythingOrSaysWhy) {
  TempDir dir;
  const std::string path = dir.File("w");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  const std::string big(1 << 20, 'z');
  EXPECT_TRUE(WriteAll(fd, big.data(), big.size()));
  close(fd);
  EXPECT_EQ(ReadFile(path).size(), big.size());
  const Status bad = WriteAll(fd, "x", 1);  // closed
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), ErrnoText(EBADF));
  EXPECT_EQ(ErrnoText(ENOSPC), "No space left on device");
}

}  // namespace
}  // namespace footfall
