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

TEST(SequenceStoreTest, StartsAtOneAndPersists) {
  TempDir dir;
  const std::string path = dir.File("seq");
  {
    SequenceStore store(path);
    EXPECT_EQ(store.last(), 0u);
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_EQ(store.Next(), 1u);
    EXPECT_EQ(store.Next(), 2u);
    EXPECT_EQ(store.Next(), 3u);
    EXPECT_EQ(store.last(), 3u);
    EXPECT_EQ(ReadFile(path), "3\n");
  }
  SequenceStore again(path);
  EXPECT_EQ(again.last(), 3u);
  EXPECT_EQ(again.Next(), 4u);
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
  EXPECT_EQ(store.Next(), 18446744073709551615ull);
  EXPECT_THROW(store.Next(), std::runtime_error);
  // Without the trailing newline too.
  WriteFile(dir.File("seq2"), "41");
  EXPECT_EQ(SequenceStore(dir.File("seq2")).Next(), 42u);
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
  EXPECT_EQ(store.Next(), 1u);
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

TEST(SequenceStoreTest, WriteErrorsAreReportedAndCountingGoesOn) {
  TempDir dir;
  const std::string state = dir.File("state");
  const std::string path = state + "/seq";
  SequenceStore store(path);
  EXPECT_EQ(store.Next(), 1u);
  EXPECT_EQ(store.TakeError(), "");
  std::filesystem::remove_all(state);  // the state directory vanishes
  EXPECT_EQ(store.Next(), 2u);
  const std::string err = store.TakeError();
  EXPECT_NE(err.find("cannot write sequence file " + path + ".tmp"), std::string::npos) << err;
  EXPECT_EQ(store.TakeError(), "") << "an error is reported once";
  // A directory where the temporary file must go: fails even for root.
  std::filesystem::create_directories(path + ".tmp");
  EXPECT_EQ(store.Next(), 3u);
  EXPECT_NE(store.TakeError(), "");
  std::filesystem::remove(path + ".tmp");
  EXPECT_EQ(store.Next(), 4u);
  EXPECT_EQ(store.TakeError(), "");
  store.Sync();
  EXPECT_EQ(SequenceStore(path).last(), 4u);
}

}  // namespace
}  // namespace footfall::transport

