// Purpose: tests of the footfall.counts/3 encoding, field by field (parsed back
// with nlohmann::json): the footfall.counts/1 fields unchanged, the people-level
// fields after them, the key order, and RFC 3339 UTC time formatting.
#include "transport/counts_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/schema_check.h"

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
  analytics::PeopleReport& p = r.people;
  p.estimated_devices = 15;
  p.visitors = 9;
  p.occupancy = 11;
  p.stationary = 4;
  p.arrivals = 6;
  p.departures = 12;
  p.passersby = 5;
  p.visitor_visits = 7;
  p.capture_rate = 7.0 / 12.0;
  p.dwell_p50_s = 611.4;
  p.dwell_p90_s = 1800.5;
  p.engagement = {0, 3, 3, 1, 0};
  p.epoch_start = kT0 - std::chrono::hours(6);
  p.epoch_devices = 230;
  p.epoch_visitors = 71;
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
  EXPECT_EQ(j.size(), 19u);
  EXPECT_EQ(j["schema"], "footfall.counts/3");
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
  EXPECT_EQ(j["devices"]["estimated"], 15);
  EXPECT_EQ(j["devices"].size(), 4u);
  EXPECT_EQ(j["rssi_dbm"]["min"], -93);
  EXPECT_EQ(j["rssi_dbm"]["median"], -81);
  EXPECT_TRUE(j["rssi_dbm"]["median"].is_number_integer());
  EXPECT_EQ(j["rssi_dbm"]["max"], -50);
  EXPECT_EQ(j["rssi_dbm"].size(), 3u);
  // The people-level fields of version 2.
  EXPECT_EQ(j["visitors"], 9);
  EXPECT_EQ(j["occupancy"], 11);  // version 3
  EXPECT_EQ(j["stationary"], 4);
  EXPECT_EQ(j["passersby"], 5);
  EXPECT_EQ(j["arrivals"], 6);
  EXPECT_EQ(j["departures"], 12);
  EXPECT_EQ(j["stationary_departures"], 0);  // 12 = 5 passers-by + 7 visitor visits
  for (const char* key : {"visitors", "occupancy", "stationary", "passersby", "arrivals",
                          "departures", "stationary_departures"}) {
    EXPECT_TRUE(j[key].is_number_unsigned()) << key;
  }
  EXPECT_TRUE(j["capture_rate"].is_number_float());
  EXPECT_DOUBLE_EQ(j["capture_rate"].get<double>(), 0.583);  // 7 / 12, 3 decimals
  EXPECT_EQ(j["dwell_s"]["p50"], 611);                       // whole seconds, rounded
  EXPECT_EQ(j["dwell_s"]["p90"], 1801);
  EXPECT_TRUE(j["dwell_s"]["p50"].is_number_integer());
  EXPECT_EQ(j["dwell_s"].size(), 2u);
  EXPECT_EQ(j["engagement"]["under_5m"], 0);
  EXPECT_EQ(j["engagement"]["5_to_20m"], 3);
  EXPECT_EQ(j["engagement"]["20_to_60m"], 3);
  EXPECT_EQ(j["engagement"]["1_to_6h"], 1);
  EXPECT_EQ(j["engagement"]["over_6h"], 0);
  EXPECT_EQ(j["engagement"].size(), 5u);
  EXPECT_EQ(j["epoch"]["start"], "2026-11-24T04:00:00Z");
  EXPECT_EQ(j["epoch"]["devices"], 230);
  EXPECT_EQ(j["epoch"]["visitors"], 71);
  EXPECT_EQ(j["epoch"].size(), 3u);
  EXPECT_FALSE(j.contains("suppressed"));  // no policy: nothing is
}

TEST(CountsJsonTest, ExactTextAndKeyOrder) {
  // The footfall.counts/1 fields come first, unchanged; devices.estimated
  // after randomized_mac, the people-level fields after rssi_dbm, occupancy
  // (version 3) after visitors.
  EXPECT_EQ(EncodeCounts({"demo-store", "entrance"}, 3, FullReport()),
            R"({"schema":"footfall.counts/3","site":"demo-store","sensor":"entrance","seq":3,)"
            R"("window":{"start":"2026-11-24T10:00:00Z","end":"2026-11-24T10:01:00Z",)"
            R"("partial":false},"frames":{"probe_requests":61,"malformed":2,"bad_fcs":3},)"
            R"("devices":{"unique":22,"global_mac":2,"randomized_mac":20,"estimated":15},)"
            R"("rssi_dbm":{"min":-93,"median":-81,"max":-50},)"
            R"("visitors":9,"occupancy":11,"stationary":4,"passersby":5,"arrivals":6,)"
            R"("departures":12,"stationary_departures":0,)"
            R"("capture_rate":0.583,"dwell_s":{"p50":611,"p90":1801},)"
            R"("engagement":{"under_5m":0,"5_to_20m":3,"20_to_60m":3,"1_to_6h":1,"over_6h":0},)"
            R"("epoch":{"start":"2026-11-24T04:00:00Z","devices":230,"visitors":71}})");
}

TEST(CountsJsonTest, StationaryDeparturesAreTheClosedVisitsOfNeitherKind) {
  analytics::WindowReport r = FullReport();
  r.people.departures = 14;  // 5 passers-by, 7 visitor visits, 2 staff phones left
  EXPECT_EQ(nlohmann::json::parse(EncodeCounts({"s", "d"}, 1, r))["stationary_departures"], 2);
  r.people.departures = 0;  // never negative
  EXPECT_EQ(nlohmann::json::parse(EncodeCounts({"s", "d"}, 1, r))["stationary_departures"], 0);
}

TEST(CountsJsonTest, NoiseModeIsNamedInTheMessage) {
  EXPECT_FALSE(nlohmann::json::parse(EncodeCounts({"s", "d"}, 1, FullReport())).contains("noise"));
  const nlohmann::json j =
      nlohmann::json::parse(EncodeCounts({"s", "d"}, 1, FullReport(), {0, false, 0.5}));
  EXPECT_EQ(j["noise"], nlohmann::json::parse(R"({"mechanism":"discrete_laplace","epsilon":0.5})"));
  EXPECT_EQ(footfall::testing::SchemaViolations({{"footfall/s/d/counts", j.dump()}}),
            std::vector<std::string>{});
}

TEST(CountsJsonTest, Version1ConsumersSeeTheSameFields) {
  // Every footfall.counts/1 field keeps its name, place, type and value.
  analytics::WindowReport v1 = FullReport();
  v1.people = {};
  const nlohmann::json a = nlohmann::json::parse(EncodeCounts({"s", "d"}, 7, v1));
  const nlohmann::json b = nlohmann::json::parse(EncodeCounts({"s", "d"}, 7, FullReport()));
  for (const char* key : {"site", "sensor", "seq", "window", "frames", "rssi_dbm"}) {
    EXPECT_EQ(a[key], b[key]) << key;
  }
  for (const char* key : {"unique", "global_mac", "randomized_mac"}) {
    EXPECT_EQ(a["devices"][key], b["devices"][key]) << key;
  }
}

TEST(CountsJsonTest, CaptureRateRoundsToThreeDecimalsAndStaysInRange) {
  const auto rate = [](double v) {
    analytics::WindowReport r = FullReport();
    r.people.capture_rate = v;
    return nlohmann::json::parse(EncodeCounts({"a", "b"}, 1, r))["capture_rate"];
  };
  EXPECT_DOUBLE_EQ(rate(1.0 / 3.0).get<double>(), 0.333);
  EXPECT_DOUBLE_EQ(rate(2.0 / 3.0).get<double>(), 0.667);
  EXPECT_DOUBLE_EQ(rate(0.0).get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(rate(1.0).get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(rate(0.9996).get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(rate(1.2).get<double>(), 1.0);  // never outside 0..1
  analytics::WindowReport r = FullReport();
  r.people.capture_rate = 1.0 / 3.0;
  EXPECT_NE(EncodeCounts({"a", "b"}, 1, r).find(R"("capture_rate":0.333,)"), std::string::npos);
}

TEST(CountsJsonTest, NoClosedVisitGivesNullRateAndDwell) {
  analytics::WindowReport r = FullReport();
  r.people.capture_rate.reset();
  r.people.dwell_p50_s.reset();
  r.people.dwell_p90_s.reset();
  const std::string text = EncodeCounts({"a", "b"}, 1, r);
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_TRUE(j["capture_rate"].is_null());
  EXPECT_TRUE(j["dwell_s"]["p50"].is_null());
  EXPECT_TRUE(j["dwell_s"]["p90"].is_null());
  EXPECT_NE(text.find(R"("capture_rate":null,"dwell_s":{"p50":null,"p90":null})"),
            std::string::npos);
  EXPECT_FALSE(j.contains("suppressed"));  // no visit is not a suppression
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
  // An empty window: zeros, no visit closed, the epoch of a default report.
  EXPECT_EQ(j["devices"]["estimated"], 0);
  EXPECT_EQ(j["visitors"], 0);
  EXPECT_EQ(j["departures"], 0);
  EXPECT_TRUE(j["capture_rate"].is_null());
  EXPECT_TRUE(j["dwell_s"]["p50"].is_null());
  EXPECT_EQ(j["engagement"]["over_6h"], 0);
  EXPECT_EQ(j["epoch"]["start"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(j["epoch"]["devices"], 0);
}

TEST(CountsJsonTest, StringsAreEscaped) {
  const nlohmann::json j = nlohmann::json::parse(EncodeCounts({"a\"b", "c\\d"}, 1, FullReport()));
  EXPECT_EQ(j["site"], "a\"b");
  EXPECT_EQ(j["sensor"], "c\\d");
}

}  // namespace
}  // namespace footfall::transport
