// Purpose: tests of the privacy settings of footfalld's configuration: their
// defaults (as shipped in config/footfall.toml too), the key rotation bounds
// (10 minutes to 7 days), the carry-over bound (below the rotation period),
// the minimum group size, the signal floor, the shared seed path and the
// [process] user; and that a SIGHUP reload applies [privacy] live but keeps
// the hashing and process settings until a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "daemon/config.h"
#include "daemon/reload.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using ::testing::HasSubstr;

ConfigResult Parse(const std::string& tables) {
  return ParseConfig("[capture]\nsource = \"pcap:mon0\"\n" + tables, "/etc/footfall/t.toml");
}

std::string OnlyError(const std::string& tables) {
  ConfigResult r = Parse(tables);
  EXPECT_EQ(r.errors.size(), 1u);
  return r.errors.empty() ? "" : r.errors.front();
}

TEST(PrivacyConfigTest, Defaults) {
  const ConfigResult r = Parse("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.min_count, 3u);
  EXPECT_FALSE(r.config.min_rssi_dbm.has_value());
  EXPECT_EQ(r.config.carry_over_max.count(), 0);
  EXPECT_EQ(r.config.shared_seed_file, "");
  EXPECT_EQ(r.config.user, "");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(PrivacyConfigTest, TheShippedConfigStatesTheDefaults) {
  const ConfigResult r = LoadConfig(footfall::testing::SourceDir() + "/config/footfall.toml");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  EXPECT_EQ(r.config.min_count, 3u);
  EXPECT_FALSE(r.config.min_rssi_dbm.has_value());
  EXPECT_EQ(r.config.carry_over_max.count(), 0);
  EXPECT_EQ(r.config.shared_seed_file, "");
  EXPECT_EQ(r.config.user, "");
  const std::string text =
      footfall::testing::ReadFile(footfall::testing::SourceDir() + "/config/footfall.toml");
  for (const char* documented :
       {"[privacy]", "min_count = 3", "# min_rssi_dbm =", "carry_over_max_s = 0",
        "shared_seed_file = \"\"", "[process]", "user = \"\"", "\"footfall\"", "noise = \"off\"",
        "epsilon = 1.0"}) {
    EXPECT_NE(text.find(documented), std::string::npos) << documented;
  }
}

TEST(PrivacyConfigTest, NoiseModeIsOffByDefaultAndEpsilonIsBounded) {
  EXPECT_EQ(Parse("").config.noise, "off");
  EXPECT_DOUBLE_EQ(Parse("").config.noise_epsilon, 1.0);
  const ConfigResult on = Parse("[privacy]\nnoise = \"laplace\"\nepsilon = 0.5\n");
  ASSERT_TRUE(on.ok()) << on.errors.front();
  EXPECT_EQ(on.config.noise, "laplace");
  EXPECT_DOUBLE_EQ(on.config.noise_epsilon, 0.5);
  EXPECT_DOUBLE_EQ(Parse("[privacy]\nepsilon = 2\n").config.noise_epsilon, 2.0);
  EXPECT_THAT(OnlyError("[privacy]\nnoise = \"gaussian\"\n"), HasSubstr("privacy.noise"));
  EXPECT_THAT(OnlyError("[privacy]\nepsilon = 0\n"), HasSubstr("privacy.epsilon"));
  EXPECT_THAT(OnlyError("[privacy]\nepsilon = 101.0\n"), HasSubstr("privacy.epsilon"));
  EXPECT_THAT(OnlyError("[privacy]\nepsilon = \"1\"\n"), HasSubstr("privacy.epsilon"));
}

TEST(PrivacyConfigTest, RotationFromTenMinutesToSevenDays) {
  EXPECT_EQ(Parse("[hashing]\nrotate_every_s = 600\n").config.rotation.every.count(), 600);
  EXPECT_EQ(Parse("[hashing]\nrotate_every_s = 604800\n").config.rotation.every.count(), 604800);
  EXPECT_THAT(OnlyError("[hashing]\nrotate_every_s = 599\n"), HasSubstr("hashing.rotate_every_s"));
  EXPECT_THAT(OnlyError("[hashing]\nrotate_every_s = 604801\n"),
              HasSubstr("hashing.rotate_every_s"));
  EXPECT_EQ(Parse("[hashing]\nrotate_at = \"03:30\"\n").config.rotation.daily_at.ToString(),
            "03:30");
}

TEST(PrivacyConfigTest, CarryOverIsBoundedAndShorterThanTheRotation) {
  EXPECT_EQ(Parse("[hashing]\ncarry_over_max_s = 300\n").config.carry_over_max.count(), 300);
  EXPECT_EQ(Parse("[hashing]\ncarry_over_max_s = 3600\n").config.carry_over_max.count(), 3600);
  EXPECT_THAT(OnlyError("[hashing]\ncarry_over_max_s = 3601\n"),
              HasSubstr("hashing.carry_over_max_s: must be 0 to 3600 seconds"));
  EXPECT_THAT(OnlyError("[hashing]\ncarry_over_max_s = -1\n"),
              HasSubstr("hashing.carry_over_max_s"));
  EXPECT_THAT(OnlyError("[hashing]\nrotate_every_s = 600\ncarry_over_max_s = 600\n"),
              HasSubstr("must be less than rotate_every_s"));
  EXPECT_TRUE(Parse("[hashing]\nrotate_every_s = 600\ncarry_over_max_s = 599\n").ok());
}

TEST(PrivacyConfigTest, MinimumGroupSizeAndSignalFloor) {
  EXPECT_EQ(Parse("[privacy]\nmin_count = 0\n").config.min_count, 0u);
  EXPECT_EQ(Parse("[privacy]\nmin_count = 10\n").config.min_count, 10u);
  EXPECT_THAT(OnlyError("[privacy]\nmin_count = -1\n"), HasSubstr("privacy.min_count"));
  EXPECT_THAT(OnlyError("[privacy]\nmin_count = \"3\"\n"), HasSubstr("expected an integer"));
  EXPECT_EQ(Parse("[privacy]\nmin_rssi_dbm = -75\n").config.min_rssi_dbm, -75);
  EXPECT_THAT(OnlyError("[privacy]\nmin_rssi_dbm = 5\n"), HasSubstr("privacy.min_rssi_dbm"));
  EXPECT_THAT(OnlyError("[privacy]\nmin_rssi_dbm = -128\n"), HasSubstr("privacy.min_rssi_dbm"));
}

TEST(PrivacyConfigTest, SeedFileRelativeToTheConfigAndUser) {
  EXPECT_EQ(Parse("[hashing]\nshared_seed_file = \"seed\"\n").config.shared_seed_file,
            "/etc/footfall/seed");
  EXPECT_EQ(
      Parse("[hashing]\nshared_seed_file = \"/var/lib/footfall/seed\"\n").config.shared_seed_file,
      "/var/lib/footfall/seed");
  EXPECT_EQ(Parse("[process]\nuser = \"footfall\"\n").config.user, "footfall");
  EXPECT_THAT(OnlyError("[process]\nuser = \"root\"\n"),
              HasSubstr("process.user: must not be root"));
  EXPECT_THAT(OnlyError("[process]\nuser = \"a b\"\n"), HasSubstr("is not a user name"));
}

TEST(PrivacyConfigTest, ReloadAppliesPrivacyLiveAndKeepsKeysAndUser) {
  const Config running = Parse("").config;
  const Config loaded =
      Parse(
          "[privacy]\nmin_count = 5\nmin_rssi_dbm = -80\n[hashing]\ncarry_over_max_s = 60\n"
          "shared_seed_file = \"/s\"\n[process]\nuser = \"footfall\"\n")
          .config;
  const ReloadPlan plan = PlanReload(running, loaded);
  EXPECT_THAT(plan.applied, ::testing::IsSupersetOf({"privacy.min_count", "privacy.min_rssi_dbm"}));
  EXPECT_THAT(plan.needs_restart,
              ::testing::IsSupersetOf(
                  {"hashing.carry_over_max_s", "hashing.shared_seed_file", "process.user"}));
  EXPECT_EQ(plan.next.min_count, 5u);
  EXPECT_EQ(plan.next.min_rssi_dbm, -80);
  EXPECT_EQ(plan.next.carry_over_max.count(), 0);
  EXPECT_EQ(plan.next.user, "");
}

}  // namespace
}  // namespace footfall::daemon
