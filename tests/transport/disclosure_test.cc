// Purpose: tests of the minimum group size ([privacy] min_count) and of the
// signal-floor counter in the published counts: which fields become null,
// that a suppressed count cannot be recomputed from the published ones, that
// the signal of a suppressed window goes too, and that every variant is valid
// under docs/schema/counts-v1.json (the published contract).
#include "transport/disclosure.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/schema_check.h"
#include "transport/counts_json.h"

namespace footfall::transport {
namespace {

using nlohmann::json;
using Fields = std::vector<std::string>;

analytics::WindowReport Report(std::uint64_t global, std::uint64_t randomized) {
  analytics::WindowReport r;
  r.start = std::chrono::system_clock::time_point(std::chrono::seconds(1795514400));
  r.end = r.start + std::chrono::seconds(60);
  r.global_mac = global;
  r.randomized_mac = randomized;
  r.devices = global + randomized;
  r.probe_requests = 3 * r.devices;
  if (r.devices > 0) {
    r.rssi_min = -80;
    r.rssi_median = -70;
    r.rssi_max = -60;
  }
  return r;
}

const Fields kRssi = {"rssi_dbm.min", "rssi_dbm.median", "rssi_dbm.max"};

Fields Plus(Fields a, const Fields& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(SuppressedFieldsTest, OffWithZero) {
  EXPECT_TRUE(SuppressedFields(Report(1, 0), 0).empty());
  EXPECT_TRUE(SuppressedFields(Report(0, 1), 0).empty());
}

TEST(SuppressedFieldsTest, ZeroIsPublishedAndLargeCountsToo) {
  EXPECT_TRUE(SuppressedFields(Report(0, 0), 3).empty());  // "nobody" stays visible
  EXPECT_TRUE(SuppressedFields(Report(3, 0), 3).empty());
  EXPECT_TRUE(SuppressedFields(Report(0, 3), 3).empty());
  EXPECT_TRUE(SuppressedFields(Report(5, 7), 3).empty());
}

TEST(SuppressedFieldsTest, SmallTotalsHideEverythingAboutTheDevices) {
  EXPECT_EQ(SuppressedFields(Report(1, 0), 3),
            Plus({"devices.unique", "devices.global_mac"}, kRssi));
  EXPECT_EQ(SuppressedFields(Report(0, 2), 3),
            Plus({"devices.unique", "devices.randomized_mac"}, kRssi));
  EXPECT_EQ(SuppressedFields(Report(1, 1), 3),
            Plus({"devices.unique", "devices.global_mac", "devices.randomized_mac"}, kRssi));
}

TEST(SuppressedFieldsTest, ASmallPartIsNotRecomputableFromTheTotal) {
  // unique 9 = global 1 + randomized 8: publishing randomized would give global away.
  EXPECT_EQ(SuppressedFields(Report(1, 8), 3),
            (Fields{"devices.global_mac", "devices.randomized_mac"}));
  EXPECT_EQ(SuppressedFields(Report(8, 2), 3),
            (Fields{"devices.global_mac", "devices.randomized_mac"}));
  // With k devices in the window its signal is published.
  EXPECT_EQ(SuppressedFields(Report(8, 2), 3).size(), 2u);
}

TEST(SuppressedFieldsTest, ThresholdIsConfigurable) {
  EXPECT_TRUE(SuppressedFields(Report(4, 0), 5).size() > 0);
  EXPECT_TRUE(SuppressedFields(Report(5, 0), 5).empty());
  EXPECT_TRUE(SuppressedFields(Report(1, 0), 1).empty());  // 1: nothing is below it
}

TEST(CountsDisclosureTest, SuppressedFieldsAreNullAndNamed) {
  const json j = json::parse(EncodeCounts({"s", "d"}, 1, Report(1, 1), {3, false}));
  EXPECT_TRUE(j["devices"]["unique"].is_null());
  EXPECT_TRUE(j["devices"]["global_mac"].is_null());
  EXPECT_TRUE(j["devices"]["randomized_mac"].is_null());
  EXPECT_TRUE(j["rssi_dbm"]["min"].is_null());
  EXPECT_TRUE(j["rssi_dbm"]["median"].is_null());
  EXPECT_TRUE(j["rssi_dbm"]["max"].is_null());
  EXPECT_EQ(j["suppressed"].get<Fields>(),
            Plus({"devices.unique", "devices.global_mac", "devices.randomized_mac"}, kRssi));
  EXPECT_EQ(j["frames"]["probe_requests"], 6);  // frames are not device counts
  EXPECT_FALSE(j["frames"].contains("below_rssi_floor"));
}

TEST(CountsDisclosureTest, NoSuppressedKeyWhenNothingIs) {
  const json j = json::parse(EncodeCounts({"s", "d"}, 1, Report(5, 7), {3, false}));
  EXPECT_FALSE(j.contains("suppressed"));
  EXPECT_EQ(j["devices"]["unique"], 12);
  EXPECT_EQ(j["rssi_dbm"]["max"], -60);
}

TEST(CountsDisclosureTest, BelowFloorCounterOnlyWhileTheFloorIsSet) {
  analytics::WindowReport r = Report(5, 7);
  r.below_rssi_floor = 17;
  const json on = json::parse(EncodeCounts({"s", "d"}, 1, r, {3, true}));
  EXPECT_EQ(on["frames"]["below_rssi_floor"], 17);
  const json off = json::parse(EncodeCounts({"s", "d"}, 1, r, {3, false}));
  EXPECT_FALSE(off["frames"].contains("below_rssi_floor"));
}

TEST(CountsDisclosureTest, EveryVariantMatchesThePublishedSchema) {
  std::vector<testing::MqttMessage> messages;
  for (std::uint64_t g : {0, 1, 2, 3, 8}) {
    for (std::uint64_t r : {0, 1, 2, 9}) {
      for (std::uint64_t k : {0, 3}) {
        for (bool floor : {false, true}) {
          messages.push_back(
              {"footfall/s/d/counts", EncodeCounts({"s", "d"}, 1, Report(g, r), {k, floor})});
        }
      }
    }
  }
  EXPECT_EQ(testing::SchemaViolations(messages), std::vector<std::string>{});
  // The schema is not a rubber stamp: a null count not named in "suppressed" fails.
  json bad = json::parse(EncodeCounts({"s", "d"}, 1, Report(1, 1), {3, false}));
  bad.erase("suppressed");
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
}

}  // namespace
}  // namespace footfall::transport
