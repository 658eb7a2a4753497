// Purpose: the repository stands alone (issue 11): no script, CMake file, CI
// file or test refers to a folder beside the checkout (the team's reference
// captures once lived in one), and the captures the tests read are inside
// tests/data with their provenance.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace footfall::testing {
namespace {

namespace fs = std::filesystem;

// The needles, built so that this file does not contain them.
const std::vector<std::string>& Needles() {
  static const std::vector<std::string> n = {std::string("..") + "/shared",
                                             std::string("/shared") + "/captures",
                                             std::string("\"shared\", ") + "\"captures\""};
  return n;
}

bool IsChecked(const fs::path& p) {
  const std::string name = p.filename().string();
  const std::string ext = p.extension().string();
  if (name == "CMakeLists.txt") return true;
  for (const char* e : {".cmake", ".cc", ".h", ".py", ".sh", ".yml", ".yaml", ".toml", ".in"}) {
    if (ext == e) return true;
  }
  // Scripts without an extension: a shebang.
  std::ifstream in(p, std::ios::binary);
  char head[2] = {0, 0};
  in.read(head, 2);
  return in.gcount() == 2 && head[0] == '#' && head[1] == '!';
}

// Files under `root` (tests/data and build trees left out) that name a folder
// beside the checkout, as "path: line".
std::vector<std::string> References(const fs::path& root) {
  std::vector<std::string> found;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const fs::path rel = fs::relative(it->path(), root);
    const std::string first = rel.begin()->string();
    if (it->is_directory() &&
        (first == ".git" || first.rfind("build", 0) == 0 || first == "node_modules" ||
         rel == fs::path("tests/data") || rel == fs::path("tests/fuzz/corpus") ||
         it->path().filename() == "node_modules")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || !IsChecked(it->path())) continue;
    std::ifstream in(it->path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      for (const auto& needle : Needles()) {
        if (line.find(needle) != std::string::npos) {
          found.push_back(rel.string() + ":" + std::to_string(n));
        }
      }
    }
  }
  return found;
}

TEST(StandaloneRepoTest, NoScriptCmakeFileOrTestRefersToAFolderBesideTheCheckout) {
  const auto found = References(SourceDir());
  std::ostringstream list;
  for (const auto& f : found) list << "\n  " << f;
  EXPECT_TRUE(found.empty()) << "refers to a folder beside the checkout:" << list.str();
}

TEST(StandaloneRepoTest, TheCheckFindsAPlantedReference) {
  TempDir dir;
  fs::create_directories(dir.File("scripts"));
  fs::create_directories(dir.File("tests/data"));
  WriteFile(dir.File("scripts/tool"), "#!/bin/sh\ncat ../" + std::string("shared/x\n"));
  WriteFile(dir.File("CMakeLists.txt"), "set(X ${S}/.." + std::string("/shared") + "/captures)\n");
  WriteFile(dir.File("tests/data/README.md"),
            "../" + std::string("shared\n"));                         // data: not checked
  WriteFile(dir.File("notes.txt"), "../" + std::string("shared\n"));  // not code
  auto found = References(dir.path());
  std::sort(found.begin(), found.end());
  // The CMake line holds two of the needles; data and prose are not checked.
  EXPECT_EQ(found,
            (std::vector<std::string>{"CMakeLists.txt:1", "CMakeLists.txt:1", "scripts/tool:2"}));
}

TEST(StandaloneRepoTest, TestCapturesAreInsideTheRepository) {
  const fs::path data = fs::path(SourceDir()) / "tests" / "data";
  EXPECT_EQ(fs::weakly_canonical(CapturesDir()), fs::weakly_canonical(data));
  for (const char* f : {"README.md", "sources.tsv", "real.tsv", "labelled-single-device.tsv"}) {
    EXPECT_TRUE(fs::is_regular_file(data / f)) << f;
  }
  for (const char* d : {"real", "labelled-single-device", "training", "groundtruth", "licenses"}) {
    EXPECT_TRUE(fs::is_directory(data / d)) << d;
  }
  // Every data file has its provenance row, and every row its file.
  std::set<std::string> listed;
  for (const auto& row : ReadTsv((data / "sources.tsv").string())) {
    listed.insert(row.at("local_file"));
    EXPECT_EQ(row.at("sha256_of_original").size(), 64u) << row.at("local_file");
    EXPECT_FALSE(row.at("licence").empty()) << row.at("local_file");
    EXPECT_TRUE(fs::is_regular_file(data / row.at("local_file"))) << row.at("local_file");
  }
  for (const char* d : {"real", "labelled-single-device", "training", "groundtruth"}) {
    for (const auto& e : fs::directory_iterator(data / d)) {
      EXPECT_EQ(listed.count(std::string(d) + "/" + e.path().filename().string()), 1u)
          << e.path().filename() << " has no row in sources.tsv";
    }
  }
  std::uintmax_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(data)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  EXPECT_LT(bytes, 30u * 1000 * 1000) << "keep the repository lean";
}

}  // namespace
}  // namespace footfall::testing
