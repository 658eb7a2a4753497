// Purpose: tests of the settings that would undo footfall's privacy (issue
// 15, point 8), through the settings registry: a minimum group size below 3
// is a warning naming file:line:col (with 2, a null means exactly one
// person); a password sent unencrypted to a broker beyond this host is a
// warning; a password or metrics token file that others may read is an
// error, like the seed file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "daemon/config.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::TempDir;
using footfall::testing::WriteFile;

std::string All(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

const std::string kBase = "[capture]\nsource = \"pcap:mon0\"\n";

TEST(UnsafeSettingsTest, MinCountBelowThreeIsAWarning) {
  ConfigResult r = ParseConfig(kBase + "[privacy]\nmin_count = 2\n", "f.toml");
  ASSERT_TRUE(r.ok()) << All(r.errors);
  ASSERT_EQ(r.warnings.size(), 1u) << All(r.warnings);
  EXPECT_EQ(r.warnings[0].rfind("f.toml:4:13: warning: privacy.min_count: 2 is below 3", 0), 0u)
      << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("exactly 1 person"), std::string::npos);
  r = ParseConfig(kBase + "[privacy]\nmin_count = 1\n", "f.toml");
  EXPECT_EQ(r.warnings.size(), 1u) << All(r.warnings);
  r = ParseConfig(kBase + "[privacy]\nmin_count = 0\n", "f.toml");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("suppression off"), std::string::npos);
  for (const char* ok : {"[privacy]\nmin_count = 3\n", "[privacy]\nmin_count = 5\n", ""}) {
    r = ParseConfig(kBase + ok, "f.toml");
    EXPECT_TRUE(r.warnings.empty()) << ok << All(r.warnings);
  }
}

TEST(UnsafeSettingsTest, APasswordInTheClearToARemoteBrokerIsAWarning) {
  TempDir dir;
  const std::string pw = dir.File("pw");
  WriteFile(pw, "secret\n");
  chmod(pw.c_str(), 0600);
  const auto with = [&](const std::string& uri) {
    return ParseConfig(
        kBase + "[mqtt]\nuri = \"" + uri + "\"\nusername = \"u\"\npassword_file = \"" + pw + "\"\n",
        dir.File("f.toml"));
  };
  ConfigResult r = with("tcp://10.1.2.3:1883");
  ASSERT_TRUE(r.ok()) << All(r.errors);
  ASSERT_EQ(r.warnings.size(), 1u) << All(r.warnings);
  EXPECT_NE(r.warnings[0].find("mqtt.password_file: the password goes unencrypted to 10.1.2.3"),
            std::string::npos)
      << r.warnings[0];
  for (const char* uri : {"tcp://127.0.0.1:1883", "tcp://localhost:1883", "ssl://10.1.2.3:8883"}) {
    r = with(uri);
    EXPECT_TRUE(r.warnings.empty()) << uri << All(r.warnings);
  }
}

TEST(UnsafeSettingsTest, SecretFilesOthersMayReadAreRefused) {
  TempDir dir;
  const std::string pw = dir.File("pw");
  WriteFile(pw, "secret\n");
  const std::string cert = dir.File("cert.pem");
  WriteFile(cert, "not checked here\n");
  for (const std::string& table :
       {std::string("[mqtt]\nusername = \"u\"\npassword_file = \""),
        std::string("[mqtt]\nuri = \"ssl://127.0.0.1:8883\"\ncert_file = \"" + cert +
                    "\"\nkey_file = \""),
        std::string("[metrics]\nlisten = \"127.0.0.1:9464\"\ntoken_file = \"")}) {
    chmod(pw.c_str(), 0644);
    ConfigResult r = ParseConfig(kBase + table + pw + "\"\n", dir.File("f.toml"));
    ASSERT_EQ(r.errors.size(), 1u) << table << All(r.errors);
    EXPECT_NE(r.errors[0].find("lets other users read or change it"), std::string::npos)
        << r.errors[0];
    chmod(pw.c_str(), 0600);
    r = ParseConfig(kBase + table + pw + "\"\n", dir.File("f.toml"));
    EXPECT_TRUE(r.ok()) << All(r.errors);
  }
}

}  // namespace
}  // namespace footfall::daemon
