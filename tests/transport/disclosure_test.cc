// Purpose: tests of the minimum group size ([privacy] min_count) and of the
// signal-floor counter in the published counts: which fields become null
// (device counts and, since footfall.counts/2, every count of people), that a
// suppressed count cannot be recomputed from the published ones, that the
// signal, capture rate and dwell of too few go too, and that every variant is
// valid under docs/schema/counts-v3.json (the published contract).
#include "transport/disclosure.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/attacker.h"
#include "support/schema_check.h"
#include "support/window_reports.h"
#include "transport/counts_json.h"

namespace footfall::transport {
namespace {

using nlohmann::json;
using Fields = std::vector<std::string>;
using footfall::testing::BusyWindow;
using footfall::testing::WindowWithDevices;

const Fields kRssi = {"rssi_dbm.min", "rssi_dbm.median", "rssi_dbm.max"};

Fields Plus(Fields a, const Fields& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Sets the closed visits consistently: departures, capture rate, dwell.
void Closed(analytics::WindowReport& r, std::uint64_t visitor_visits, std::uint64_t passersby,
            analytics::Engagement engagement) {
  analytics::PeopleReport& p = r.people;
  p.visitor_visits = visitor_visits;
  p.passersby = passersby;
  p.departures = visitor_visits + passersby;
  p.engagement = engagement;
  p.capture_rate.reset();
  p.dwell_p50_s.reset();
  p.dwell_p90_s.reset();
  if (p.departures > 0) p.capture_rate = double(visitor_visits) / double(p.departures);
  if (visitor_visits > 0) {
    p.dwell_p50_s = 700;
    p.dwell_p90_s = 1300;
  }
}

TEST(SuppressedFieldsTest, OffWithZero) {
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(1, 0), 0).empty());
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(0, 1), 0).empty());
}

TEST(SuppressedFieldsTest, ZeroIsPublishedAndLargeCountsToo) {
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(0, 0), 3).empty());  // "nobody" stays visible
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(3, 0), 3).empty());
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(0, 3), 3).empty());
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(5, 7), 3).empty());
}

TEST(SuppressedFieldsTest, SmallTotalsHideEverythingAboutTheDevices) {
  EXPECT_EQ(SuppressedFields(WindowWithDevices(1, 0), 3),
            Plus({"devices.unique", "devices.global_mac"}, kRssi));
  EXPECT_EQ(SuppressedFields(WindowWithDevices(0, 2), 3),
            Plus({"devices.unique", "devices.randomized_mac"}, kRssi));
  EXPECT_EQ(SuppressedFields(WindowWithDevices(1, 1), 3),
            Plus({"devices.unique", "devices.global_mac", "devices.randomized_mac"}, kRssi));
}

TEST(SuppressedFieldsTest, ASmallPartIsNotRecomputableFromTheTotal) {
  // unique 9 = global 1 + randomized 8: publishing randomized would give global away.
  EXPECT_EQ(SuppressedFields(WindowWithDevices(1, 8), 3),
            (Fields{"devices.global_mac", "devices.randomized_mac"}));
  EXPECT_EQ(SuppressedFields(WindowWithDevices(8, 2), 3),
            (Fields{"devices.global_mac", "devices.randomized_mac"}));
  // With k devices in the window its signal is published.
  EXPECT_EQ(SuppressedFields(WindowWithDevices(8, 2), 3).size(), 2u);
}

TEST(SuppressedFieldsTest, ThresholdIsConfigurable) {
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(4, 0), 5).size() > 0);
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(5, 0), 5).empty());
  EXPECT_TRUE(SuppressedFields(WindowWithDevices(1, 0), 1).empty());  // 1: nothing is below it
}

TEST(SuppressedFieldsTest, BusyWindowHidesNothing) {
  EXPECT_TRUE(SuppressedFields(BusyWindow(), 3).empty());
  analytics::WindowReport r = BusyWindow();
  r.people.engagement = {1, 1, 1, 1, 1};
  Closed(r, 5, 6, r.people.engagement);
  EXPECT_FALSE(SuppressedFields(r, 3).empty());
  EXPECT_TRUE(SuppressedFields(r, 0).empty());  // 0 turns the policy off
  EXPECT_TRUE(SuppressedFields(r, 1).empty());  // nothing is below 1
}

TEST(SuppressedFieldsTest, EachSmallCountOfPeopleIsHiddenButNotZero) {
  struct Case {
    const char* name;
    std::uint64_t analytics::PeopleReport::*field;
  };
  for (const Case& c : {Case{"visitors", &analytics::PeopleReport::visitors},
                        Case{"occupancy", &analytics::PeopleReport::occupancy},
                        Case{"stationary", &analytics::PeopleReport::stationary},
                        Case{"arrivals", &analytics::PeopleReport::arrivals},
                        Case{"epoch.devices", &analytics::PeopleReport::epoch_devices},
                        Case{"epoch.visitors", &analytics::PeopleReport::epoch_visitors}}) {
    SCOPED_TRACE(c.name);
    for (std::uint64_t v : {1, 2}) {
      analytics::WindowReport r = BusyWindow();
      r.people.*c.field = v;
      EXPECT_EQ(SuppressedFields(r, 3), Fields{c.name});
    }
    for (std::uint64_t v : {0, 3}) {  // "nobody" stays visible, and so does k
      analytics::WindowReport r = BusyWindow();
      r.people.*c.field = v;
      EXPECT_TRUE(SuppressedFields(r, 3).empty());
    }
    analytics::WindowReport r = BusyWindow();
    r.people.*c.field = 2;
    EXPECT_TRUE(SuppressedFields(r, 2).empty());  // the threshold is configurable
  }
}

TEST(SuppressedFieldsTest, FewEstimatedDevicesHideTheirSignal) {
  analytics::WindowReport r = BusyWindow();
  r.people.estimated_devices = 2;  // 40 addresses, but 2 phones
  EXPECT_EQ(SuppressedFields(r, 3), Plus({"devices.estimated"}, kRssi));
  r.people.estimated_devices = 0;
  EXPECT_TRUE(SuppressedFields(r, 3).empty());
  // With few addresses, few estimated devices: both go, the signal once.
  r = WindowWithDevices(1, 1);
  r.people.estimated_devices = 1;
  EXPECT_EQ(SuppressedFields(r, 3), Plus({"devices.unique", "devices.global_mac",
                                          "devices.randomized_mac", "devices.estimated"},
                                         kRssi));
}

TEST(SuppressedFieldsTest, FewClosedVisitsHideRateDwellAndDepartures) {
  // 1 visitor visit + 1 passer-by: everything about the two visits goes.
  analytics::WindowReport r = BusyWindow();
  Closed(r, 1, 1, {0, 1, 0, 0, 0});
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"passersby", "departures", "capture_rate",
                                            "dwell_s.p50", "dwell_s.p90", "engagement.5_to_20m"}));
  // 1 passer-by alone: the rate (0) and the departures go with it; no dwell.
  Closed(r, 0, 1, {});
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"passersby", "departures", "capture_rate"}));
  // 2 visitor visits alone (rate 1.0): both visits' dwell is hidden.
  Closed(r, 2, 0, {0, 0, 2, 0, 0});
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"departures", "capture_rate", "dwell_s.p50",
                                            "dwell_s.p90", "engagement.20_to_60m"}));
  // No closed visit at all: null rate and dwell, but nothing is suppressed.
  Closed(r, 0, 0, {});
  EXPECT_TRUE(SuppressedFields(r, 3).empty());
  // Exactly k visitor visits: the rate is published, the dwell is not (a
  // percentile needs max(k, 10) visits).
  Closed(r, 3, 0, {0, 3, 0, 0, 0});
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"dwell_s.p50", "dwell_s.p90"}));
}

TEST(SuppressedFieldsTest, DwellPercentilesOnlyOfTenVisitsAndNeverBesideAHiddenBucket) {
  // Nearest rank: the p90 of 9 visits is the longest visit, to the second.
  analytics::WindowReport r = BusyWindow();
  Closed(r, 9, 6, {0, 3, 3, 3, 0});
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"dwell_s.p50", "dwell_s.p90"}));
  Closed(r, 10, 6, {0, 4, 3, 3, 0});
  EXPECT_TRUE(SuppressedFields(r, 3).empty());
  // With k = 12 the bound is k.
  Closed(r, 11, 16, {0, 11, 0, 0, 0});
  r.people.engagement = {0, 0, 0, 0, 0};
  r.people.departures = 16 + 11;  // stationary departures 0, the 11 visits in no bucket
  EXPECT_NE(std::find(SuppressedFields(r, 12).begin(), SuppressedFields(r, 12).end(),
                      std::string("dwell_s.p50")),
            SuppressedFields(r, 12).end());
  // 20 visits, one bucket of 2 hidden: the percentiles would bound it.
  Closed(r, 20, 6, {2, 9, 9, 0, 0});
  const Fields f = SuppressedFields(r, 3);
  EXPECT_NE(std::find(f.begin(), f.end(), "engagement.under_5m"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "dwell_s.p50"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "dwell_s.p90"), f.end());
}

TEST(SuppressedFieldsTest, ASmallPartOfTheClosedVisitsIsNotRecomputable) {
  // 10 visitor visits and 1 passer-by: with the rate (10/11) and the buckets
  // (adding up to 10), or with departures (11), the passer-by would be a
  // subtraction away.
  analytics::WindowReport r = BusyWindow();
  Closed(r, 10, 1, {0, 4, 3, 3, 0});
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"passersby", "departures", "capture_rate"}));
  // 2 visitor visits among 20 passers-by: departures - passersby = 2, and the
  // rate (0.091) times 22 too; the dwell is two people's.
  Closed(r, 2, 20, {0, 2, 0, 0, 0});
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"departures", "capture_rate", "dwell_s.p50",
                                            "dwell_s.p90", "engagement.5_to_20m"}));
  // Departures small on their own (stationary devices leaving).
  r = BusyWindow();
  Closed(r, 0, 0, {});
  r.people.departures = 2;
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"departures", "stationary_departures"}));
}

TEST(SuppressedFieldsTest, StationaryDeparturesAreACountLikeTheOthers) {
  // 2 staff phones left among 10 visitor visits and 6 passers-by: departures
  // 18 minus the published rest would give the 2 back, so a partner goes.
  analytics::WindowReport r = BusyWindow();
  Closed(r, 10, 6, {0, 4, 3, 3, 0});
  r.people.departures = 18;
  EXPECT_EQ(StationaryDepartures(r.people), 2u);
  EXPECT_EQ(SuppressedFields(r, 3), (Fields{"departures", "stationary_departures"}));
  // 5 of them: published.
  r.people.departures = 21;
  EXPECT_TRUE(SuppressedFields(r, 3).empty());
  const json j = json::parse(EncodeCounts({"s", "d"}, 1, r, {3, false}));
  EXPECT_EQ(j["stationary_departures"], 5);
}

TEST(SuppressedFieldsTest, NoHiddenCountIsFixedByTheOthers) {
  // unique 4 with both kinds hidden: each null is 0..2, so 2 + 2; unique goes too.
  EXPECT_EQ(SuppressedFields(WindowWithDevices(2, 2), 3),
            Plus({"devices.unique", "devices.global_mac", "devices.randomized_mac"}, kRssi));
  // unique 3 = 1 + 2 or 2 + 1: not fixed, unique stays.
  EXPECT_EQ(SuppressedFields(WindowWithDevices(1, 2), 3),
            (Fields{"devices.global_mac", "devices.randomized_mac"}));
  // Two hidden buckets of 2 whose sum (4) the others give: 2 + 2 again.
  analytics::WindowReport r = BusyWindow();
  Closed(r, 14, 6, {2, 2, 5, 5, 0});
  const Fields f = SuppressedFields(r, 3);
  EXPECT_GE(f.size(), 3u);
  EXPECT_NE(std::find(f.begin(), f.end(), "engagement.under_5m"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "engagement.5_to_20m"), f.end());
}

TEST(SuppressedFieldsTest, ASingleSmallEngagementBucketTakesAnotherWithIt) {
  // The buckets add up to the visitor visits (10 = departures 16 - passers-by
  // 6): one hidden bucket alone would be a subtraction away, so the smallest
  // other non-zero bucket goes too (the first of equals).
  // The partner chosen is departures (the total: the buckets stay), and the
  // capture rate and the dwell go with any hidden bucket.
  const Fields beside = {"capture_rate", "dwell_s.p50", "dwell_s.p90"};
  analytics::WindowReport r = BusyWindow();
  Closed(r, 10, 6, {2, 5, 3, 0, 0});
  EXPECT_EQ(SuppressedFields(r, 3), Plus(Plus({"departures"}, beside), {"engagement.under_5m"}));
  Closed(r, 10, 6, {0, 4, 4, 0, 2});
  EXPECT_EQ(SuppressedFields(r, 3), Plus(Plus({"departures"}, beside), {"engagement.over_6h"}));
  Closed(r, 10, 6, {0, 9, 0, 1, 0});
  EXPECT_EQ(SuppressedFields(r, 3), Plus(Plus({"departures"}, beside), {"engagement.1_to_6h"}));
  // Two small buckets hide each other: only their sum (3 = 1 + 2 or 2 + 1) is known.
  Closed(r, 10, 6, {1, 4, 3, 2, 0});
  EXPECT_EQ(SuppressedFields(r, 3), Plus(beside, {"engagement.under_5m", "engagement.1_to_6h"}));
  // No small bucket, nothing hidden.
  Closed(r, 10, 6, {0, 3, 3, 4, 0});
  EXPECT_TRUE(SuppressedFields(r, 3).empty());
}

TEST(CountsDisclosureTest, TopLevelFieldsAreNullAndNamedByTheirKey) {
  analytics::WindowReport r = BusyWindow();
  r.people.visitors = 1;
  r.people.occupancy = 2;
  r.people.stationary = 2;
  r.people.arrivals = 1;
  r.people.epoch_devices = 2;
  r.people.epoch_visitors = 1;
  Closed(r, 1, 2, {0, 0, 1, 0, 0});
  r.people.departures = 4;  // one staff phone left too
  const std::string text = EncodeCounts({"s", "d"}, 1, r, {3, false});
  const json j = json::parse(text);
  for (const char* key : {"visitors", "occupancy", "stationary", "passersby", "arrivals",
                          "stationary_departures", "capture_rate"}) {
    EXPECT_TRUE(j[key].is_null()) << key;
  }
  EXPECT_TRUE(j["dwell_s"]["p50"].is_null());
  EXPECT_TRUE(j["dwell_s"]["p90"].is_null());
  EXPECT_TRUE(j["engagement"]["20_to_60m"].is_null());
  EXPECT_EQ(j["engagement"]["5_to_20m"], 0);  // zeros stay
  EXPECT_TRUE(j["epoch"]["devices"].is_null());
  EXPECT_TRUE(j["epoch"]["visitors"].is_null());
  EXPECT_EQ(j["epoch"]["start"], "2026-11-24T05:00:00Z");
  EXPECT_EQ(j["devices"]["unique"], 40);  // the address counts are large
  EXPECT_EQ(j["devices"]["estimated"], 25);
  EXPECT_EQ(j["suppressed"].get<Fields>(),
            (Fields{"visitors", "occupancy", "stationary", "passersby", "arrivals",
                    "stationary_departures", "capture_rate", "dwell_s.p50", "dwell_s.p90",
                    "engagement.20_to_60m", "epoch.devices", "epoch.visitors"}));
  EXPECT_EQ(j["departures"], 4);  // 2 + 1 + 1 in 0..2 each: several ways, not fixed
  // No stray objects for the top-level names, and the key order is kept.
  EXPECT_EQ(j.size(), 20u);
  EXPECT_NE(text.find(R"("visitors":null,"occupancy":null,"stationary":null,"passersby":null,)"
                      R"("arrivals":null,"departures":4,"stationary_departures":null,)"
                      R"("capture_rate":null,)"),
            std::string::npos)
      << text;
  EXPECT_EQ(testing::SchemaViolations({{"footfall/s/d/counts", text}}), std::vector<std::string>{});
}

TEST(CountsDisclosureTest, SuppressedFieldsAreNullAndNamed) {
  const json j = json::parse(EncodeCounts({"s", "d"}, 1, WindowWithDevices(1, 1), {3, false}));
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
  const json j = json::parse(EncodeCounts({"s", "d"}, 1, WindowWithDevices(5, 7), {3, false}));
  EXPECT_FALSE(j.contains("suppressed"));
  EXPECT_EQ(j["devices"]["unique"], 12);
  EXPECT_EQ(j["rssi_dbm"]["max"], -60);
}

TEST(CountsDisclosureTest, BelowFloorCounterOnlyWhileTheFloorIsSet) {
  analytics::WindowReport r = WindowWithDevices(5, 7);
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
          messages.push_back({"footfall/s/d/counts",
                              EncodeCounts({"s", "d"}, 1, WindowWithDevices(g, r), {k, floor})});
        }
      }
    }
  }
  // People: every count small, zero or large, and the closed visits in
  // every mix, with and without the policy.
  for (std::uint64_t n : {0, 1, 2, 5}) {
    for (std::uint64_t vv : {0, 1, 2, 10}) {
      for (std::uint64_t pb : {0, 1, 2, 7}) {
        for (std::uint64_t k : {0, 3}) {
          analytics::WindowReport r = BusyWindow();
          r.people.estimated_devices = n;
          r.people.visitors = n;
          r.people.stationary = n;
          r.people.arrivals = n;
          r.people.epoch_devices = n;
          r.people.epoch_visitors = n;
          Closed(r, vv, pb, {0, vv / 2, vv - vv / 2, 0, 0});
          messages.push_back({"footfall/s/d/counts", EncodeCounts({"s", "d"}, 1, r, {k, false})});
        }
      }
    }
  }
  EXPECT_EQ(testing::SchemaViolations(messages), std::vector<std::string>{});
  // The schema is not a rubber stamp: a null count not named in "suppressed" fails,
  json bad = json::parse(EncodeCounts({"s", "d"}, 1, WindowWithDevices(1, 1), {3, false}));
  bad.erase("suppressed");
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
  // a null count of people too,
  bad = json::parse(EncodeCounts({"s", "d"}, 1, BusyWindow(), {3, false}));
  bad["visitors"] = nullptr;
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
  // the occupancy too,
  bad = json::parse(EncodeCounts({"s", "d"}, 1, BusyWindow(), {3, false}));
  bad["occupancy"] = nullptr;
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
  // a field named in "suppressed" but published,
  bad = json::parse(EncodeCounts({"s", "d"}, 1, BusyWindow(), {3, false}));
  bad["suppressed"] = json::array({"dwell_s.p50"});
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
  // and a version 1 or 2 message, or a version 3 one without a new field.
  bad = json::parse(EncodeCounts({"s", "d"}, 1, BusyWindow(), {3, false}));
  bad["schema"] = "footfall.counts/1";
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
  bad = json::parse(EncodeCounts({"s", "d"}, 1, BusyWindow(), {3, false}));
  bad.erase("epoch");
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
  bad = json::parse(EncodeCounts({"s", "d"}, 1, BusyWindow(), {3, false}));
  bad["schema"] = "footfall.counts/2";
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
  bad = json::parse(EncodeCounts({"s", "d"}, 1, BusyWindow(), {3, false}));
  bad.erase("occupancy");
  EXPECT_FALSE(testing::SchemaViolations({{"footfall/s/d/counts", bad.dump()}}).empty());
}

TEST(CountsDisclosureTest, Version3MessagesAreStillValidVersion2FieldByField) {
  // A v2 consumer reads the same fields: a v3 message without the new fields
  // (occupancy, stationary_departures) and with its schema name put back is
  // valid under counts-v2.json.
  for (std::uint64_t k : {0, 3}) {
    for (const analytics::WindowReport& r : {WindowWithDevices(1, 8), BusyWindow()}) {
      json j = json::parse(EncodeCounts({"s", "d"}, 1, r, {k, true}));
      j["schema"] = "footfall.counts/2";
      j.erase("occupancy");
      j.erase("stationary_departures");
      if (j.contains("suppressed")) {
        Fields kept;
        for (const std::string& f : j["suppressed"].get<Fields>()) {
          if (f != "occupancy" && f != "stationary_departures") kept.push_back(f);
        }
        if (kept.empty()) {
          j.erase("suppressed");
        } else {
          j["suppressed"] = kept;
        }
      }
      EXPECT_EQ(testing::SchemaViolations("counts-v2.json", j.dump()), std::vector<std::string>{});
    }
  }
}

TEST(CountsDisclosureTest, Version2MessagesAreStillValidVersion1FieldsByField) {
  // A v1 consumer reads the same fields: the v1 part of a v2 message (its
  // schema name put back, the new fields dropped) is valid under counts-v1.json.
  for (std::uint64_t k : {0, 3}) {
    json j = json::parse(EncodeCounts({"s", "d"}, 1, WindowWithDevices(1, 8), {k, true}));
    j["schema"] = "footfall.counts/1";
    j["devices"].erase("estimated");
    for (const char* key :
         {"visitors", "occupancy", "stationary", "passersby", "arrivals", "departures",
          "stationary_departures", "capture_rate", "dwell_s", "engagement", "epoch"}) {
      j.erase(key);
    }
    EXPECT_EQ(testing::SchemaViolations("counts-v1.json", j.dump()), std::vector<std::string>{});
  }
}

// The attacker of the tests (written apart from the suppression) finds
// nothing in any message of a grid of small, zero and large counts: no
// hidden count fixed by a sum relation, the capture rate or the dwell.
TEST(CountsDisclosureTest, TheAttackerSolvesNothingInAnyMessage) {
  const testing::Attacker attacker(testing::CountsAttackerOptions(3));
  std::size_t messages = 0;
  for (std::uint64_t g : {0, 1, 2, 3, 7}) {
    for (std::uint64_t rnd : {0, 1, 2, 4}) {
      for (std::uint64_t pb : {0, 1, 2, 6}) {
        for (std::uint64_t sd : {0, 1, 2, 5}) {
          for (const analytics::Engagement e :
               {analytics::Engagement{0, 0, 0, 0, 0}, analytics::Engagement{0, 2, 0, 0, 0},
                analytics::Engagement{1, 2, 0, 0, 0}, analytics::Engagement{2, 2, 5, 5, 0},
                analytics::Engagement{0, 4, 3, 3, 0}, analytics::Engagement{0, 9, 0, 1, 0}}) {
            analytics::WindowReport r = WindowWithDevices(g, rnd);
            r.people = BusyWindow().people;
            const std::uint64_t vv =
                e.under_5m + e.from_5_to_20m + e.from_20_to_60m + e.from_1_to_6h + e.over_6h;
            Closed(r, vv, pb, e);
            r.people.departures += sd;
            const testing::Figures f = testing::CountsFigures(
                "g" + std::to_string(g) + " r" + std::to_string(rnd) + " pb" + std::to_string(pb) +
                    " sd" + std::to_string(sd) + " vv" + std::to_string(vv),
                EncodeCounts({"s", "d"}, 1, r, {3, false}));
            for (const auto& found : attacker.Attack({f})) ADD_FAILURE() << ToString(found);
            ++messages;
          }
        }
      }
    }
  }
  EXPECT_EQ(messages, 5u * 4 * 4 * 4 * 6);
}

TEST(EpochTotalsTest, AnyTwoReleasedTotalsOfAnEpochDifferByZeroOrAtLeastK) {
  EpochTotals totals(3);
  analytics::PeopleReport p;
  p.epoch_start = std::chrono::system_clock::time_point(std::chrono::hours(1000));
  std::vector<std::uint64_t> released;
  for (std::uint64_t t : {0, 1, 2, 3, 4, 5, 5, 6, 7, 9, 10, 10, 11, 12, 13, 20, 21, 22, 23}) {
    p.epoch_devices = t;
    p.epoch_visitors = t / 2;
    analytics::PeopleReport out = p;
    totals.Release(out);
    released.push_back(out.epoch_devices);
    EXPECT_LE(out.epoch_devices, t);       // never ahead of the truth
    EXPECT_LT(t - out.epoch_devices, 3u);  // at most k-1 behind
    EXPECT_LE(out.epoch_visitors, t / 2);
  }
  EXPECT_EQ(released, (std::vector<std::uint64_t>{0, 1, 2, 3, 3, 3, 3, 6, 6, 9, 9, 9, 9, 12, 12, 20,
                                                  20, 20, 23}));
  for (std::size_t i = 0; i < released.size(); ++i) {
    for (std::size_t j = i + 1; j < released.size(); ++j) {
      const std::uint64_t d =
          released[j] > released[i] ? released[j] - released[i] : released[i] - released[j];
      if (released[i] >= 3 && released[j] >= 3) {
        EXPECT_TRUE(d == 0 || d >= 3) << i << " " << j;
      }
    }
  }
  // 1 and 2 are published as null (below k), so they are never differenced.
  analytics::WindowReport w = BusyWindow();
  w.people.epoch_devices = 2;
  EXPECT_EQ(SuppressedFields(w, 3), Fields{"epoch.devices"});
}

TEST(EpochTotalsTest, NoChangeSaysNothingAndANewEpochStartsFromZero) {
  // One newcomer or none: the same released totals.
  for (std::uint64_t newcomers : {0, 1, 2}) {
    EpochTotals totals(3);
    analytics::PeopleReport p;
    p.epoch_devices = 30;
    totals.Release(p);
    p.epoch_devices = 30 + newcomers;
    totals.Release(p);
    EXPECT_EQ(p.epoch_devices, 30u) << newcomers;
  }
  EpochTotals totals(3);
  analytics::PeopleReport p;
  p.epoch_devices = 30;
  totals.Release(p);
  p.epoch_start += std::chrono::hours(24);
  p.epoch_devices = 2;
  totals.Release(p);
  EXPECT_EQ(p.epoch_devices, 2u);  // the new epoch's own total (null, below k)
  // The policy off: the totals as they are.
  EpochTotals off(0);
  p.epoch_devices = 31;
  off.Release(p);
  EXPECT_EQ(p.epoch_devices, 31u);
}

}  // namespace
}  // namespace footfall::transport
