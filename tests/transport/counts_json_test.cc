// Purpose: tests of the footfall.counts/1 encoding, field by field (parsed back
// with nlohmann::json), its key order, and RFC 3339 UTC time formatting.
#include "transport/counts_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace footfall::transport {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

// 2026-11-24T10:00:00Z
const system_clock::time_point kT0 = system_clock::time_point(seconds(1795514400));

analytics::WindowReport FullReport() {
  analytics::WindowReport r;
  r.start = kT0;
  r.end = kT0 + seconds(60);
  r.partial = false;
  r.probe_requests = 61;
  r.malformed = 2;
  r.bad_fcs = 3;
  r.devices = 22;
  r.global_mac = 2;
  r.randomized_mac = 20;
  r.rssi_min = -93;
  r.rssi_median = -81.0;
  r.rssi_max = -50;
  return r;
}

TEST(FormatUtcTest, WholeSeconds) {
  EXPECT_EQ(FormatUtc(kT0), "2026-11-24T10:00:00Z");
  EXPECT_EQ(FormatUtc(system_clock::time_point{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(kT0 + seconds(86399)), "2026-11-25T09:59:59Z");
}

TEST(FormatUtcTest, FractionOnlyWhenNotWhole) {
  EXPECT_EQ(FormatUtc(kT0 + microseconds(1)), "2026-11-24T10:00:00.000001Z");
  EXPECT_EQ(FormatUtc(kT0 + microseconds(500000)), "2026-11-24T10:00:00.500000Z");
  EXPECT_EQ(FormatUtc(kT0 + seconds(5) + microseconds(123456)), "2026-11-24T10:00:05.123456Z");
  // Below a microsecond is dropped.
  EXPECT_EQ(FormatUtc(kT0 + std::chrono::duration_cast<system_clock::duration>(
                                std::chrono::nanoseconds(999))),
            "2026-11-24T10:00:00Z");
}

TEST(CountsJsonTest, EveryField) {
  const std::string text = EncodeCounts({"demo-store", "entrance"}, 42, FullReport());
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j.size(), 8u);
  EXPECT_EQ(j["schema"], "footfall.counts/1");
  EXPECT_EQ(j["site"], "demo-store");
  EXPECT_EQ(j["sensor"], "entrance");
  EXPECT_EQ(j["seq"], 42);
  EXPECT_TRUE(j["seq"].is_number_unsigned());
  EXPECT_EQ(j["window"]["start"], "2026-11-24T10:00:00Z");
  EXPECT_EQ(j["window"]["end"], "2026-11-24T10:01:00Z");
  EXPECT_EQ(j["window"]["partial"], false);
  EXPECT_EQ(j["window"].size(), 3u);
  EXPECT_EQ(j["frames"]["probe_requests"], 61);
  EXPECT_EQ(j["frames"]["malformed"], 2);
  EXPECT_EQ(j["frames"]["bad_fcs"], 3);
  EXPECT_EQ(j["frames"].size(), 3u);
  EXPECT_EQ(j["devices"]["unique"], 22);
  EXPECT_EQ(j["devices"]["global_mac"], 2);
  EXPECT_EQ(j["devices"]["randomized_mac"], 20);
  EXPECT_EQ(j["devices"].size(), 3u);
  EXPECT_EQ(j["rssi_dbm"]["min"], -93);
  EXPECT_EQ(j["rssi_dbm"]["median"], -81);
  EXPECT_TRUE(j["rssi_dbm"]["median"].is_number_integer());
  EXPECT_EQ(j["rssi_dbm"]["max"], -50);
  EXPECT_EQ(j["rssi_dbm"].size(), 3u);
}

TEST(CountsJsonTest, ExactTextAndKeyOrder) {
  EXPECT_EQ(EncodeCounts({"demo-store", "entrance"}, 3, FullReport()),
            R"({"schema":"footfall.counts/1","site":"demo-store","sensor":"entrance","seq":3,)"
            R"("window":{"start":"2026-11-24T10:00:00Z","end":"2026-11-24T10:01:00Z",)"
            R"("partial":false},"frames":{"probe_requests":61,"malformed":2,"bad_fcs":3},)"
            R"("devices":{"unique":22,"global_mac":2,"randomized_mac":20},)"
            R"("rssi_dbm":{"min":-93,"median":-81,"max":-50}})");
}

TEST(CountsJsonTest, HalfMedianIsAFloat) {
  analytics::WindowReport r = FullReport();
  r.rssi_median = -61.5;
  const std::string text = EncodeCounts({"a", "b"}, 1, r);
  EXPECT_NE(text.find(R"("median":-61.5)"), std::string::npos) << text;
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_TRUE(j["rssi_dbm"]["median"].is_number_float());
  EXPECT_DOUBLE_EQ(j["rssi_dbm"]["median"].get<double>(), -61.5);
}

TEST(CountsJsonTest, EmptyPartialWindowHasNullSignal) {
  analytics::WindowReport r;
  r.start = kT0;
  r.end = kT0 + seconds(17) + microseconds(250000);
  r.partial = true;
  const std::string text = EncodeCounts({"a", "b"}, 18446744073709551615ull, r);
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["seq"].get<std::uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(j["window"]["end"], "2026-11-24T10:00:17.250000Z");
  EXPECT_EQ(j["window"]["partial"], true);
  EXPECT_EQ(j["frames"]["probe_requests"], 0);
  EXPECT_EQ(j["devices"]["unique"], 0);
  EXPECT_TRUE(j["rssi_dbm"]["min"].is_null());
  EXPECT_TRUE(j["rssi_dbm"]["median"].is_null());
  EXPECT_TRUE(j["rssi_dbm"]["max"].is_null());
  EXPECT_NE(text.find(R"("rssi_dbm":{"min":null,"median":null,"max":null})"), std::string::npos);
}

TEST(CountsJsonTest, StringsAreEscaped) {
  const nlohmann::json j = nlohmann::json::parse(EncodeCounts({"a\"b", "c\\d"}, 1, FullReport()));
  EXPECT_EQ(j["site"], "a\"b");
  EXPECT_EQ(j["sensor"], "c\\d");
}

}  // namespace
}  // namespace footfall::transport
