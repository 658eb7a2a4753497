// Purpose: tests of the persistent sequence number: starts at 1, survives a new
// instance, file format, atomic replacement, missing directories, and clear
// errors for corrupt files and unusable directories.
#include "transport/sequence_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "support/test_support.h"

namespace footfall::transport {
namespace {

using footfall::testing::ReadFile;
using footfall::testing::TempDir;
using footfall::testing::WriteFile;

std::string ErrorOf(const std::string& path) {
  try {
    SequenceStore store(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// Advance() that must succeed; the number it moved on to.
std::uint64_t Next(SequenceStore& store) {
  const Status recorded = store.Advance();
  EXPECT_TRUE(recorded.ok()) << recorded.error();
  return store.last();
}

TEST(SequenceStoreTest, StartsAtOneAndPersists) {
  TempDir dir;
  const std::string path = dir.File("seq");
  {
    SequenceStore store(path);
    EXPECT_EQ(store.last(), 0u);
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_EQ(Next(store), 1u);
    EXPECT_EQ(Next(store), 2u);
    EXPECT_EQ(Next(store), 3u);
    EXPECT_EQ(store.last(), 3u);
    EXPECT_EQ(ReadFile(path), "3\n");
  }
  SequenceStore again(path);
  EXPECT_EQ(again.last(), 3u);
  EXPECT_EQ(Next(again), 4u);
  EXPECT_EQ(ReadFile(path), "4\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SequenceStoreTest, ReadsExistingValue) {
  TempDir dir;
  WriteFile(dir.File("seq"), "18446744073709551614\n");
  SequenceStore store(dir.File("seq"));
  EXPECT_EQ(store.last(), 18446744073709551614ull);
  EXPECT_EQ(Next(store), 18446744073709551615ull);
  EXPECT_THROW(static_cast<void>(store.Advance()), std::runtime_error);
  // Without the trailing newline too.
  WriteFile(dir.File("seq2"), "41");
  SequenceStore other(dir.File("seq2"));
  EXPECT_EQ(Next(other), 42u);
}

TEST(SequenceStoreTest, CorruptFileIsAnError) {
  TempDir dir;
  for (const char* bad : {"", "\n", "abc\n", "12x\n", "-1\n", " 1\n", "1\n\n",
                          "18446744073709551616\n", "99999999999999999999999\n"}) {
    WriteFile(dir.File("seq"), bad);
    const std::string error = ErrorOf(dir.File("seq"));
    EXPECT_NE(error.find("sequence file " + dir.File("seq") + " is corrupt"), std::string::npos)
        << "content \"" << bad << "\": " << error;
  }
}

TEST(SequenceStoreTest, CreatesMissingDirectoriesPrivate) {
  TempDir dir;
  const std::string state = dir.File("a/b");
  SequenceStore store(state + "/seq");
  EXPECT_EQ(Next(store), 1u);
  EXPECT_EQ(ReadFile(state + "/seq"), "1\n");
  struct stat st {};
  ASSERT_EQ(stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(dir.File("a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(SequenceStoreTest, UnusableDirectoryIsAnError) {
  TempDir dir;
  WriteFile(dir.File("file"), "x");
  EXPECT_NE(ErrorOf(dir.File("file/seq")).find("cannot create state directory"), std::string::npos);
  EXPECT_NE(ErrorOf(dir.File("file/sub/seq")).find("cannot create state directory"),
            std::string::npos);
  // A directory where the file should be.
  std::filesystem::create_directory(dir.File("isdir"));
  EXPECT_NE(ErrorOf(dir.File("isdir")).find("cannot read sequence file"), std::string::npos);
  if (geteuid() != 0) {  // root ignores permissions
    std::filesystem::create_directory(dir.File("ro"));
    chmod(dir.File("ro").c_str(), 0500);
    EXPECT_NE(ErrorOf(dir.File("ro/seq")).find("is not writable"), std::string::npos);
    chmod(dir.File("ro").c_str(), 0700);
  }
}

TEST(SequenceStoreTest, WriteErrorsAreReturnedAndCountingGoesOn) {
  TempDir dir;
  const std::string state = dir.File("state");
  const std::string path = state + "/seq";
  SequenceStore store(path);
  EXPECT_EQ(Next(store), 1u);
  std::filesystem::remove_all(state);  // the state directory vanishes
  const Status lost_dir = store.Advance();
  EXPECT_FALSE(lost_dir.ok());
  EXPECT_NE(lost_dir.error().find("cannot write sequence file " + path + ".tmp"), std::string::npos)
      << lost_dir.error();
  EXPECT_EQ(store.last(), 2u) << "the number moves on all the same";
  const Status not_synced = store.Sync();
  EXPECT_FALSE(not_synced.ok());
  EXPECT_NE(not_synced.error().find("cannot write sequence file"), std::string::npos)
      << not_synced.error();
  // A directory where the temporary file must go: fails even for root.
  std::filesystem::create_directories(path + ".tmp");
  const Status blocked = store.Advance();
  EXPECT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error(), "");
  EXPECT_EQ(store.last(), 3u);
  std::filesystem::remove(path + ".tmp");
  EXPECT_EQ(Next(store), 4u);
  EXPECT_TRUE(store.Sync().ok());
  EXPECT_EQ(SequenceStore(path).last(), 4u);
}

}  // namespace
}  // namespace footfall::transport
