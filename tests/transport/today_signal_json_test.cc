// Purpose: tests of the retained day-so-far and signal messages
// (transport/today_json.h, transport/signal_json.h): windows gather into
// 15-minute slots published once complete; sums and peaks; a sum is null as
// soon as one window hid it (else the sum minus the published windows would
// give it back), a peak only when it is small; the capture rate only beside
// published passers-by and buckets; a new epoch empties the day; a restart in
// the middle of an epoch says so; signal bins under min_count are null and no
// total is published. Both are checked against their JSON Schemas.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/schema_check.h"
#include "support/test_support.h"
#include "transport/signal_json.h"
#include "transport/today_json.h"

namespace footfall::transport {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint At(int hour, int minute) { return footfall::testing::Utc(2026, 5, 4, hour, minute, 0); }

const SensorIdentity kId{"shop", "door"};

analytics::WindowReport Window(TimePoint start, std::uint64_t arrivals, std::uint64_t visitors,
                               std::uint64_t devices = 10) {
  analytics::WindowReport r;
  r.start = start;
  r.end = start + minutes(1);
  r.probe_requests = 50;
  r.devices = devices;
  r.randomized_mac = devices;
  r.people.estimated_devices = devices;
  r.people.visitors = visitors;
  r.people.arrivals = arrivals;
  return r;
}

// Adds one window a minute from `start` for `n` minutes; returns how often
// the message changed.
int AddMinutes(DayLog& log, TimePoint start, int n, std::uint64_t arrivals,
               std::uint64_t visitors) {
  int changes = 0;
  for (int i = 0; i < n; ++i) changes += log.Add(Window(start + minutes(i), arrivals, visitors));
  return changes;
}

TEST(TodayJsonTest, SlotsArePublishedOnceCompleteWithSumsAndPeaks) {
  DayLog log(seconds(60), 3);
  log.StartEpoch(At(4, 0));
  EXPECT_EQ(AddMinutes(log, At(4, 0), 1, 3, 0), 1);  // the first window: announce the epoch
  EXPECT_EQ(AddMinutes(log, At(4, 1), 13, 3, 4), 0);
  EXPECT_EQ(AddMinutes(log, At(4, 14), 1, 3, 9), 1);  // 04:14-04:15 completes the slot
  AddMinutes(log, At(4, 15), 5, 4, 5);                // the next slot is still open
  const json j = json::parse(log.Encode(kId));
  EXPECT_EQ(j["schema"], "footfall.today/1");
  EXPECT_EQ(j["slot_s"], 900);
  EXPECT_EQ(j["min_count"], 3);
  EXPECT_EQ(j["epoch"]["start"], "2026-05-04T04:00:00Z");
  EXPECT_EQ(j["since"], "2026-05-04T04:00:00Z");
  EXPECT_TRUE(j["complete"].get<bool>());
  ASSERT_EQ(j["slots"].size(), 1u);
  const json& s = j["slots"][0];
  EXPECT_EQ(s["start"], "2026-05-04T04:00:00Z");
  EXPECT_EQ(s["end"], "2026-05-04T04:15:00Z");
  EXPECT_EQ(s["windows"], 15);
  EXPECT_EQ(s["probe_requests"], 15 * 50);
  EXPECT_EQ(s["arrivals"], 45);
  EXPECT_EQ(s["visitors_peak"], 9);
  EXPECT_EQ(s["estimated_peak"], 10);
  EXPECT_EQ(s["passersby"], 0);
  EXPECT_TRUE(s["capture_rate"].is_null());  // no visit closed: nothing to rate
  EXPECT_FALSE(s.contains("suppressed"));
  EXPECT_TRUE(footfall::testing::SchemaViolations("today-v1.json", j.dump()).empty()) << j.dump();
}

TEST(TodayJsonTest, ASumIsHiddenWhenOneOfItsWindowsHidIt) {
  DayLog log(seconds(60), 3);
  log.StartEpoch(At(4, 0));
  // 14 windows with 5 arrivals each (published), one with 2 (hidden): the
  // slot's 72 minus the published 70 would be that window's 2.
  AddMinutes(log, At(4, 0), 14, 5, 5);
  log.Add(Window(At(4, 14), 2, 5));
  const json s = json::parse(log.Encode(kId))["slots"][0];
  EXPECT_TRUE(s["arrivals"].is_null());
  EXPECT_EQ(s["suppressed"], json::array({"arrivals"}));
  EXPECT_EQ(s["visitors_peak"], 5);  // a peak of published values stays
}

TEST(TodayJsonTest, ASmallPeakIsHiddenAndZeroIsNot) {
  DayLog log(seconds(60), 3);
  log.StartEpoch(At(4, 0));
  AddMinutes(log, At(4, 0), 15, 0, 2);
  const json s = json::parse(log.Encode(kId))["slots"][0];
  EXPECT_TRUE(s["visitors_peak"].is_null());
  EXPECT_EQ(s["arrivals"], 0);
  EXPECT_EQ(s["suppressed"], json::array({"visitors_peak"}));
}

TEST(TodayJsonTest, CaptureRateOnlyBesidePublishedPassersByAndBuckets) {
  // Minute `i` after 04:00: 6 passers-by and 3 visits of 5 to 20 minutes.
  const auto minute = [](int i) {
    analytics::WindowReport r = Window(At(4, i), 0, 10);
    r.people.passersby = 6;
    r.people.visitor_visits = 3;
    r.people.departures = 9;
    r.people.engagement.from_5_to_20m = 3;
    return r;
  };
  DayLog log(seconds(60), 3);
  log.StartEpoch(At(4, 0));
  for (int i = 0; i < 15; ++i) {
    analytics::WindowReport r = minute(i);
    r.people.capture_rate = 3.0 / 9.0;
    if (i == 7) {  // one window with 1 passer-by: hidden there, so here too
      r.people.passersby = 1;
      r.people.departures = 4;
      r.people.capture_rate = 0.75;
    }
    log.Add(r);
  }
  const json s = json::parse(log.Encode(kId))["slots"][0];
  EXPECT_TRUE(s["passersby"].is_null());
  EXPECT_EQ(s["engagement"]["5_to_20m"], 45);
  // 45 / (45 + passers-by) would give the hidden passers-by back.
  EXPECT_TRUE(s["capture_rate"].is_null());
  EXPECT_EQ(s["suppressed"], json::array({"passersby", "capture_rate"}));

  DayLog clean(seconds(60), 3);
  clean.StartEpoch(At(4, 0));
  for (int i = 0; i < 15; ++i) clean.Add(minute(i));
  const json c = json::parse(clean.Encode(kId))["slots"][0];
  EXPECT_EQ(c["passersby"], 90);
  EXPECT_DOUBLE_EQ(c["capture_rate"].get<double>(), 0.333);
}

TEST(TodayJsonTest, ANewEpochEmptiesTheDay) {
  DayLog log(seconds(60), 3);
  log.StartEpoch(At(3, 0));
  AddMinutes(log, At(3, 0), 60, 5, 5);
  EXPECT_EQ(json::parse(log.Encode(kId))["slots"].size(), 4u);
  log.StartEpoch(At(4, 0));
  json j = json::parse(log.Encode(kId));
  EXPECT_TRUE(j["slots"].empty());
  EXPECT_TRUE(j["since"].is_null());
  EXPECT_EQ(j["epoch"]["start"], "2026-05-04T04:00:00Z");
  EXPECT_TRUE(log.Add(Window(At(4, 0), 5, 5)));  // the emptied day is announced
}

TEST(TodayJsonTest, ARestartInTheMiddleOfTheEpochSaysSo) {
  DayLog log(seconds(60), 3);
  log.StartEpoch(At(4, 0));  // the key epoch began at 04:00; this process at 10:07
  AddMinutes(log, At(10, 7), 8, 5, 5);
  const json j = json::parse(log.Encode(kId));
  EXPECT_EQ(j["since"], "2026-05-04T10:07:00Z");
  EXPECT_FALSE(j["complete"].get<bool>());
  ASSERT_EQ(j["slots"].size(), 1u);
  EXPECT_EQ(j["slots"][0]["windows"], 8);  // of 15: the slot is partly covered
  EXPECT_TRUE(footfall::testing::SchemaViolations("today-v1.json", j.dump()).empty());
}

TEST(TodayJsonTest, APartialWindowDoesNotCompleteTheSlot) {
  DayLog log(seconds(60), 3);
  log.StartEpoch(At(4, 0));
  AddMinutes(log, At(4, 0), 14, 5, 5);
  analytics::WindowReport last = Window(At(4, 14), 5, 5);
  last.partial = true;
  last.end = At(4, 14) + seconds(20);
  EXPECT_FALSE(log.Add(last));
  EXPECT_TRUE(json::parse(log.Encode(kId))["slots"].empty());
}

TEST(SignalJsonTest, SmallBinsAreNullAndNoTotalIsPublished) {
  const std::vector<analytics::SignalHistogram::Bin> bins = {
      {-90, 12}, {-85, 0}, {-80, 2}, {-75, 3}, {-70, 1}};
  SignalThresholds t;
  t.visitor_rssi_dbm = -72;
  t.inside_rssi_dbm = -60;
  const json j = json::parse(EncodeSignal(kId, At(9, 0), At(10, 0), bins, t, 3));
  EXPECT_EQ(j["schema"], "footfall.signal/1");
  EXPECT_EQ(j["span"]["start"], "2026-05-04T09:00:00Z");
  EXPECT_EQ(j["span"]["end"], "2026-05-04T10:00:00Z");
  EXPECT_EQ(j["bin_db"], 5);
  EXPECT_EQ(j["thresholds"]["visitor_rssi_dbm"], -72);
  EXPECT_EQ(j["thresholds"]["inside_rssi_dbm"], -60);
  EXPECT_FALSE(j["thresholds"].contains("min_rssi_dbm"));
  ASSERT_EQ(j["bins"].size(), 5u);
  EXPECT_EQ(j["bins"][0], json({{"from_dbm", -90}, {"to_dbm", -85}, {"devices", 12}}));
  EXPECT_EQ(j["bins"][1]["devices"], 0);  // nobody stays 0
  EXPECT_TRUE(j["bins"][2]["devices"].is_null());
  EXPECT_EQ(j["bins"][3]["devices"], 3);
  EXPECT_TRUE(j["bins"][4]["devices"].is_null());
  EXPECT_FALSE(j.contains("devices"));
  EXPECT_TRUE(footfall::testing::SchemaViolations("signal-v1.json", j.dump()).empty()) << j.dump();
}

TEST(SignalJsonTest, MinCountZeroPublishesEveryBin) {
  const json j =
      json::parse(EncodeSignal(kId, At(9, 0), At(10, 0), {{-60, 1}}, SignalThresholds{}, 0));
  EXPECT_EQ(j["bins"][0]["devices"], 1);
}

}  // namespace
}  // namespace footfall::transport
