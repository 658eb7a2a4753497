// Purpose: tests of PeopleEstimator and its window fields: global devices are
// their own device; randomized MACs of one phone are grouped by sequence
// continuity and by burst order within a model fingerprint, never across
// fingerprints unless one MAC was heard with both (then one model); visits open, extend, close
// after visit_gap and are classified visitor / passer-by / stationary at the
// documented boundaries; dwell percentiles are nearest-rank; engagement
// buckets; capture rate; epoch counts and their reset at a key rotation; and
// memory that follows the devices present, not the length of the day. Time
// is passed in; nothing sleeps.
#include "analytics/people_estimator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "analytics/distinct_counter.h"
#include "analytics/window_counter.h"
#include "support/test_support.h"

namespace footfall::analytics {
namespace {

using hashing::Pseudonym;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(int hour, int minute, int second = 0) {
  return footfall::testing::Utc(2026, 5, 4, hour, minute, second);
}

Pseudonym Global(std::uint64_t v) { return Pseudonym{v, false}; }
Pseudonym Random(std::uint64_t v) { return Pseudonym{v, true}; }
ProbeTraits Traits(std::uint64_t fingerprint, std::uint16_t seq) {
  return ProbeTraits{true, fingerprint, seq};
}

// A phone heard about once a minute, `m` minutes after `start`, at irregular
// times (-20 .. +20 s; exact at minute 0 and at `last`): a device probing on
// an exact timer would be recognised as fixed (fixed_devices_test.cc).
TimePoint PhoneMinute(TimePoint start, int m, int last) {
  const int offset = (m == 0 || m == last) ? 0 : (m * m * 7) % 41 - 20;
  return start + minutes(m) + seconds(offset);
}

PeopleReport Close(PeopleEstimator& e, TimePoint end) {
  PeopleReport r;
  e.CloseWindow(end, r);
  return r;
}

TEST(PeopleEstimatorTest, AGlobalDeviceIsOneDeviceAndOneVisit) {
  PeopleEstimator e;
  for (int m = 0; m < 10; ++m) e.OnProbe(PhoneMinute(At(10, 0), m, 9), Global(7), {}, -50);
  PeopleReport r = Close(e, At(10, 10));
  EXPECT_EQ(r.estimated_devices, 1u);
  EXPECT_EQ(r.arrivals, 1u);
  EXPECT_EQ(r.departures, 0u);
  EXPECT_EQ(r.visitors, 1u);  // 9 min at -50 dBm, still open
  EXPECT_EQ(e.tracked_devices(), 1u);
  // Closed once visit_gap (5 min) has passed since 10:09.
  r = Close(e, At(10, 14));
  EXPECT_EQ(r.departures, 0u);
  EXPECT_EQ(r.estimated_devices, 0u);
  r = Close(e, At(10, 14, 1));
  EXPECT_EQ(r.departures, 1u);
  EXPECT_EQ(r.visitor_visits, 1u);
  EXPECT_EQ(r.passersby, 0u);
  ASSERT_TRUE(r.dwell_p50_s.has_value());
  EXPECT_DOUBLE_EQ(*r.dwell_p50_s, 540.0);
  EXPECT_DOUBLE_EQ(*r.dwell_p90_s, 540.0);
  EXPECT_EQ(r.engagement.from_5_to_20m, 1u);
  ASSERT_TRUE(r.capture_rate.has_value());
  EXPECT_DOUBLE_EQ(*r.capture_rate, 1.0);
  EXPECT_EQ(e.tracked_devices(), 0u);
  EXPECT_FALSE(e.DeviceOf(7).has_value());  // its table entry goes at the next bulk compaction
}

struct Sighting {
  TimePoint t;
  std::uint64_t id;
  int dbm;
};

// Feeds global-MAC sightings in time order (the estimator expects that).
void Feed(PeopleEstimator& e, std::vector<Sighting> s) {
  std::stable_sort(s.begin(), s.end(),
                   [](const Sighting& a, const Sighting& b) { return a.t < b.t; });
  for (const Sighting& x : s) e.OnProbe(x.t, Global(x.id), {}, x.dbm);
}

TEST(PeopleEstimatorTest, VisitorNeedsBothSignalAndDuration) {
  PeopleEstimator e;  // visitor: >= -70 dBm and >= 5 min
  std::vector<Sighting> s;
  // Strong but short (4:59): passer-by.
  s.push_back({At(10, 0), 1, -40});
  s.push_back({At(10, 4, 59), 1, -40});
  // Long but weak (-71 dBm all along): passer-by.
  for (int m = 0; m <= 10; ++m) s.push_back({PhoneMinute(At(10, 0), m, 10), 2, -71});
  // Long and reaching -70 once: visitor, exactly 5 min.
  s.push_back({At(10, 0), 3, -80});
  s.push_back({At(10, 2), 3, -70});
  s.push_back({At(10, 5), 3, -85});
  Feed(e, s);
  PeopleReport r = Close(e, At(10, 30));
  EXPECT_EQ(r.departures, 3u);
  EXPECT_EQ(r.passersby, 2u);
  EXPECT_EQ(r.visitor_visits, 1u);
  EXPECT_DOUBLE_EQ(*r.capture_rate, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*r.dwell_p50_s, 300.0);
}

TEST(PeopleEstimatorTest, AGapLongerThanVisitGapStartsASecondVisit) {
  PeopleEstimator e;
  e.OnProbe(At(10, 0), Global(1), {}, -50);
  e.OnProbe(At(10, 5), Global(1), {}, -50);      // gap 5:00, same visit
  e.OnProbe(At(10, 10, 1), Global(1), {}, -50);  // gap 5:01, a new visit
  PeopleReport r = Close(e, At(10, 11));
  EXPECT_EQ(r.arrivals, 2u);
  EXPECT_EQ(r.departures, 1u);
  EXPECT_EQ(r.visitor_visits, 1u);
  EXPECT_EQ(r.estimated_devices, 1u);
}

TEST(PeopleEstimatorTest, StaffAreStationaryNotVisitors) {
  PeopleOptions o;
  o.stationary_after = std::chrono::hours(6);
  PeopleEstimator e(o);
  TimePoint t = At(8, 0);
  PeopleReport r;
  for (int m = 0; m <= 6 * 60 + 30; ++m) {
    e.OnProbe(PhoneMinute(t, m, 6 * 60 + 30), Global(9), {}, -45);
    // A passer-by inside every 10 minutes until 6 h: the zone is never empty
    // long, so the staff's phone is not taken for equipment left alone in
    // it (fixed_devices_test.cc) and its 6 hours decide.
    if (m % 10 == 5 && m < 6 * 60) e.OnProbe(t + minutes(m), Global(1000 + m), {}, -60);
    if (m == 6 * 60 - 1) {
      r = Close(e, t + minutes(m) + seconds(21));
      EXPECT_EQ(r.visitors, 1u);
      EXPECT_EQ(r.stationary, 0u);
    }
  }
  r = Close(e, t + minutes(6 * 60 + 31));
  EXPECT_EQ(r.visitors, 0u);
  EXPECT_EQ(r.stationary, 1u);
  r = Close(e, t + std::chrono::hours(8));
  EXPECT_EQ(r.departures, 1u);
  EXPECT_EQ(r.visitor_visits, 0u);
  EXPECT_EQ(r.passersby, 0u);
  EXPECT_FALSE(r.dwell_p50_s.has_value());
  EXPECT_FALSE(r.capture_rate.has_value());
}

TEST(PeopleEstimatorTest, DwellPercentilesAreNearestRankAndEngagementBuckets) {
  PeopleEstimator e;
  const int durations_min[] = {6, 10, 19, 25, 70, 100, 200, 7, 8, 9};  // 10 visits
  std::vector<Sighting> s;
  std::uint64_t id = 1;
  for (int d : durations_min) {
    for (int m = 0; m <= d; ++m) s.push_back({PhoneMinute(At(9, 0), m, d), id, -60});
    ++id;
  }
  Feed(e, s);
  PeopleReport r = Close(e, At(14, 0));
  EXPECT_EQ(r.visitor_visits, 10u);
  // sorted: 6 7 8 9 10 19 25 70 100 200 -> p50 = 5th = 10 min, p90 = 9th = 100 min
  EXPECT_DOUBLE_EQ(*r.dwell_p50_s, 600.0);
  EXPECT_DOUBLE_EQ(*r.dwell_p90_s, 6000.0);
  EXPECT_EQ(r.engagement.under_5m, 0u);
  EXPECT_EQ(r.engagement.from_5_to_20m, 6u);
  EXPECT_EQ(r.engagement.from_20_to_60m, 1u);
  EXPECT_EQ(r.engagement.from_1_to_6h, 3u);
  EXPECT_EQ(r.engagement.over_6h, 0u);
}

// A phone that takes a new random MAC every burst and keeps its sequence
// counter: one device, one visit.
TEST(PeopleEstimatorTest, SequenceContinuityLinksANewRandomMac) {
  PeopleEstimator e;
  std::uint16_t seq = 4090;  // wraps past 4095
  for (int burst = 0; burst < 20; ++burst) {
    const TimePoint t = At(10, 0) + seconds(40 * burst);
    for (int f = 0; f < 3; ++f) {
      e.OnProbe(t + milliseconds(20 * f), Random(1000 + burst), Traits(42, seq), -55);
      seq = (seq + 1) & 0xFFF;
    }
  }
  PeopleReport r = Close(e, At(10, 15));
  EXPECT_EQ(r.estimated_devices, 1u);
  EXPECT_EQ(r.arrivals, 1u);
  EXPECT_EQ(r.visitors, 1u);
  EXPECT_EQ(r.epoch_devices, 1u);
}

TEST(PeopleEstimatorTest, NoLinkAcrossFingerprintsButSequenceLinksEvenMidBurst) {
  PeopleEstimator e;
  e.OnProbe(At(10, 0), Random(1), Traits(42, 100), -55);
  e.OnProbe(At(10, 1), Random(2), Traits(43, 101), -55);  // another model: a new device
  // The first model again 2 min later, sequence not continuing (a phone that
  // resets it): the silent device of that model, linked weakly.
  e.OnProbe(At(10, 2), Random(3), Traits(42, 500), -55);
  // 200 ms later, continuing that sequence under another MAC: real phones
  // change MAC in the middle of a burst; the same device.
  e.OnProbe(At(10, 2) + milliseconds(200), Random(4), Traits(42, 501), -55);
  // 5 ms later, a MAC of that model whose sequence does not continue:
  // linked weakly (the device may have moved on to a new MAC) ...
  e.OnProbe(At(10, 2) + milliseconds(205), Random(5), Traits(42, 3000), -55);
  EXPECT_EQ(e.tracked_devices(), 2u);
  // ... until the device's MAC 4 is heard again: a phone never returns to a
  // MAC it left, so 5 was somebody else's.
  e.OnProbe(At(10, 2) + milliseconds(225), Random(4), Traits(42, 502), -55);
  PeopleReport r = Close(e, At(10, 3));
  EXPECT_EQ(e.tracked_devices(), 3u);
  EXPECT_EQ(r.estimated_devices, 3u);  // {1, 3, 4}, {2}, {5}
  EXPECT_EQ(r.arrivals, 3u);
}

// One MAC heard with two signatures (a phone's 2.4 and 5 GHz probes, or its
// directed probes with extra vendor elements) makes them one model for the
// epoch: a later MAC of either links to the phone's device. Without that
// evidence, two signatures stay two models (two devices).
TEST(PeopleEstimatorTest, OneMacHeardWithTwoSignaturesMakesThemOneModel) {
  for (const bool evidence : {false, true}) {
    SCOPED_TRACE(evidence ? "one MAC showed both" : "no MAC showed both");
    PeopleEstimator e;
    e.OnProbe(At(10, 0), Random(1), Traits(42, 100), -55);
    if (evidence) e.OnProbe(At(10, 0) + milliseconds(80), Random(1), Traits(43, 101), -56);
    // The next bursts, each under a new MAC that resets the sequence, heard
    // first with one signature or the other.
    e.OnProbe(At(10, 1), Random(2), Traits(43, 2000), -57);
    e.OnProbe(At(10, 2), Random(3), Traits(42, 900), -55);
    e.OnProbe(At(10, 3), Random(4), Traits(43, 3100), -54);
    PeopleReport r = Close(e, At(10, 4));
    EXPECT_EQ(r.estimated_devices, evidence ? 1u : 2u);
    EXPECT_EQ(e.tracked_devices(), evidence ? 1u : 2u);
  }
}

// A per-network address (a MAC kept from burst to burst, directed probes
// only, its signature a broadcast model's plus vendor elements) is not
// counted apart while a phone of that model scans (Argo's F_test_1); it is
// when nobody scans, when its MAC changes every burst (the Argo generator's
// directed probes) or when no broadcast model lies beneath it.
TEST(PeopleEstimatorTest, APerNetworkAddressIsCountedAsThePhoneThatScans) {
  struct Case {
    const char* what;
    bool scans, kept, based;
    std::uint64_t expected;
    bool global = false;  // the address is the phone's own global MAC
  };
  for (const Case& c : {Case{"a phone scans, the address is kept", true, true, true, 1},
                        Case{"nobody scans", false, true, true, 1},
                        Case{"the address changes every burst", true, false, true, 2},
                        Case{"no broadcast model beneath it", true, true, false, 2},
                        Case{"its own global MAC, a phone scans", true, true, true, 1, true},
                        Case{"a global MAC, nobody scans", false, true, true, 1, true},
                        Case{"a global MAC of another model", true, true, false, 2, true}}) {
    SCOPED_TRACE(c.what);
    PeopleEstimator e;
    for (int burst = 0; burst < 4; ++burst) {
      const TimePoint t = At(10, 0) + seconds(30 * burst);
      if (c.scans) {
        e.OnProbe(t, Random(100 + burst), Traits(42, static_cast<std::uint16_t>(500 * burst + 7)),
                  -50);
      }
      ProbeTraits directed = Traits(77, static_cast<std::uint16_t>(1000 + 10 * burst));
      directed.directed = true;
      directed.has_base = c.based;
      directed.base_fingerprint = 42;
      const std::uint64_t address = c.kept ? 200 : 200 + burst;
      // At uneven times: a global MAC on a timer would be a fixed device.
      e.OnProbe(t + seconds(5 + (7 * burst) % 11), c.global ? Global(address) : Random(address),
                directed, -50);
    }
    PeopleReport r = Close(e, At(10, 5));
    EXPECT_EQ(r.estimated_devices, c.expected);
    EXPECT_EQ(r.occupancy, c.expected);
  }
}

// A third signature merged into a merged model joins it too, and the index
// holds no entry under a merged-away fingerprint (the devices were moved).
TEST(PeopleEstimatorTest, MergedModelsChainAndTheirDevicesMove) {
  PeopleEstimator e;
  e.OnProbe(At(10, 0), Random(1), Traits(42, 100), -55);
  e.OnProbe(At(10, 1), Random(2), Traits(43, 2000), -55);  // another model: a second device
  e.OnProbe(At(10, 1) + milliseconds(50), Random(2), Traits(42, 2001), -55);  // no: the same model
  e.OnProbe(At(10, 2), Random(3), Traits(44, 700), -55);                      // a third
  e.OnProbe(At(10, 2) + milliseconds(50), Random(3), Traits(43, 701), -55);   // the same again
  EXPECT_EQ(e.tracked_devices(), 3u);  // made before the evidence
  // A new MAC of each of the three fingerprints links to the model's devices.
  for (int i = 0; i < 3; ++i) {
    e.OnProbe(At(10, 3 + i), Random(10 + i),
              Traits(42 + i, static_cast<std::uint16_t>(3000 + 500 * i)), -55);
    EXPECT_EQ(e.tracked_devices(), 3u) << "fingerprint " << 42 + i;
  }
  // Chains of one model never heard at once: one phone.
  PeopleReport r = Close(e, At(10, 6));
  EXPECT_EQ(r.estimated_devices, 1u);
  r = Close(e, At(10, 30));  // all gone: nothing indexed is left
  EXPECT_EQ(e.tracked_devices(), 0u);
  EXPECT_EQ(e.tracked_index_entries(), 0u);
}

// The frame path hashes a known MAC's signature only when its elements'
// length changed since its last frame.
TEST(PeopleEstimatorTest, AFingerprintIsNeededForNewMacsAndChangedElements) {
  PeopleEstimator e;
  EXPECT_TRUE(e.NeedsFingerprint(1, 60));
  ProbeTraits t = Traits(42, 100);
  t.ies_len = 60;
  e.OnProbe(At(10, 0), Random(1), t, -55);
  EXPECT_FALSE(e.NeedsFingerprint(1, 60));
  EXPECT_TRUE(e.NeedsFingerprint(1, 72));
  EXPECT_TRUE(e.NeedsFingerprint(2, 60));
  e.OnProbe(At(10, 0), Global(7), {}, -55);
  EXPECT_FALSE(e.NeedsFingerprint(7, 72));  // a global MAC is its own device
}

// A bursting device seen again 150 ms after its last frame under a new MAC
// that does not continue its sequence is linked: the Argo simulator's phones
// start their next burst as soon as 70 ms after the last.
TEST(PeopleEstimatorTest, AWeakLinkNeedsNoLongSilence) {
  PeopleEstimator e;
  e.OnProbe(At(10, 0), Random(1), Traits(42, 100), -55);
  e.OnProbe(At(10, 0) + milliseconds(150), Random(2), Traits(42, 2000), -55);
  PeopleReport r = Close(e, At(10, 1));
  EXPECT_EQ(r.estimated_devices, 1u);
}

// The signal tolerance of weak links is learnt from the devices whose MAC
// stays the same from burst to burst: here a steady fixed device (jumps of
// 0-1 dB), so a 7 dB jump is somebody else. Without such evidence any jump
// is accepted (the Argo simulator draws the path loss anew at every burst).
void SteadyNeighbour(PeopleEstimator& e, TimePoint from, int bursts) {
  for (int b = 0; b < bursts; ++b) {
    e.OnProbe(from + seconds(10 * b), Global(999), {}, -60 - (b % 2));
  }
}

TEST(PeopleEstimatorTest, NoWeakLinkBeyondItsHorizonOrAcrossALearntSignalJump) {
  PeopleEstimator e;
  SteadyNeighbour(e, At(9, 50), 60);
  Close(e, At(10, 0));
  e.OnProbe(At(10, 0), Random(1), Traits(42, 100), -55);
  e.OnProbe(At(10, 5, 1), Random(2), Traits(42, 900), -55);  // silent 5:01 > 5:00
  e.OnProbe(At(10, 6), Random(3), Traits(42, 1900), -62);    // 7 dB weaker than 2
  EXPECT_EQ(e.tracked_devices(), 4u);                        // the neighbour and three
  PeopleReport r = Close(e, At(10, 7));
  // Counted: three chains of a model that resets its counter, none heard
  // while another was, could be one phone (the neighbour was not heard).
  EXPECT_EQ(r.estimated_devices, 1u);
  // Heard at once, they count apart.
  e.OnProbe(At(10, 7, 10), Random(1), Traits(42, 101), -55);
  e.OnProbe(At(10, 7, 20), Random(2), Traits(42, 901), -55);
  e.OnProbe(At(10, 7, 30), Random(3), Traits(42, 1901), -62);
  e.OnProbe(At(10, 7, 40), Random(1), Traits(42, 102), -55);
  e.OnProbe(At(10, 7, 45), Random(2), Traits(42, 902), -55);
  r = Close(e, At(10, 8));
  EXPECT_EQ(r.estimated_devices, 3u);

  PeopleEstimator blind;  // no evidence of how signals move: the jump is accepted
  blind.OnProbe(At(10, 0), Random(1), Traits(42, 100), -55);
  blind.OnProbe(At(10, 1), Random(2), Traits(42, 1900), -75);
  r = Close(blind, At(10, 2));
  EXPECT_EQ(r.estimated_devices, 1u);
}

// Two phones of one model that reset their sequence numbers and change MAC at
// every burst, probing in turn, one near the sensor and one far, where the
// crowd shows steady signals: burst order and signal keep them two devices.
TEST(PeopleEstimatorTest, BurstOrderKeepsTwoPhonesOfOneModelApart) {
  PeopleEstimator e;
  SteadyNeighbour(e, At(9, 50), 60);
  Close(e, At(10, 0));
  std::uint64_t mac = 1;
  for (int round = 0; round < 30; ++round) {
    const TimePoint t = At(10, 0) + seconds(60 * round);
    e.OnProbe(t, Random(mac++), Traits(42, 0), -50);
    e.OnProbe(t + seconds(25), Random(mac++), Traits(42, 0), -80);
  }
  PeopleReport r = Close(e, At(10, 30));
  EXPECT_EQ(r.estimated_devices, 2u);
  EXPECT_EQ(r.arrivals, 2u);
  EXPECT_EQ(r.visitors, 1u);  // the far one never reached -70 dBm
  EXPECT_EQ(e.tracked_devices(), 2u);
}

// A phone never returns to a random MAC it left. Two phones of one model
// that reset their counters and keep each MAC for a few bursts, probing in
// turn at the same signal: a weak link may join the second one's MAC to the
// first phone, but the first phone's MAC heard again after it splits it off.
TEST(PeopleEstimatorTest, AnOldMacHeardAgainSplitsOffTheMacLinkedAfterIt) {
  PeopleEstimator e;
  for (int round = 0; round < 12; ++round) {
    const TimePoint t = At(10, 0) + seconds(40 * round);
    const std::uint64_t mac = static_cast<std::uint64_t>(round / 4);  // a new MAC every 4 rounds
    e.OnProbe(t, Random(100 + mac), Traits(42, 0), -60);
    e.OnProbe(t + seconds(20), Random(200 + mac), Traits(42, 0), -60);
  }
  PeopleReport r = Close(e, At(10, 9));
  EXPECT_EQ(r.estimated_devices, 2u);
  EXPECT_EQ(e.tracked_devices(), 2u);
  EXPECT_EQ(r.epoch_devices, 2u);
}

// ... unless the old MAC's frame continues the device's sequence: a phone
// that uses one MAC per network it asks for cycles through them in one scan,
// with one counter (Argo's G_test_6-7). A return that does not continue it
// still splits.
TEST(PeopleEstimatorTest, APhoneCyclingItsPerNetworkMacsInAScanIsOneDevice) {
  for (const bool continues : {true, false}) {
    SCOPED_TRACE(continues ? "continues the sequence" : "does not continue it");
    PeopleEstimator e;
    const TimePoint t = At(10, 0);
    e.OnProbe(t, Random(10), Traits(42, 1019), -61);
    e.OnProbe(t + milliseconds(2), Random(11), Traits(42, 1020), -61);
    e.OnProbe(t + milliseconds(4), Random(12), Traits(42, 1021), -61);
    e.OnProbe(t + milliseconds(6), Random(10), Traits(42, continues ? 1022 : 1900), -61);
    e.OnProbe(t + milliseconds(8), Random(11), Traits(42, continues ? 1023 : 1901), -61);
    PeopleReport r = Close(e, At(10, 1));
    EXPECT_EQ(e.tracked_devices(), continues ? 1u : 2u);
    EXPECT_EQ(r.estimated_devices, continues ? 1u : 2u);
  }
}

// A new MAC 1 ms after the device's last frame, continuing nobody's
// sequence, is the same phone if the old MAC is not heard again (the Argo
// simulator's phones start a burst under a new MAC 1 ms after the last).
TEST(PeopleEstimatorTest, ANewMacRightAfterTheLastFrameIsTheSamePhone) {
  PeopleEstimator e;
  for (int burst = 0; burst < 30; ++burst) {
    const TimePoint t = At(10, 0) + seconds(20 * burst);
    e.OnProbe(t, Random(1000 + 2 * burst), Traits(42, 100), -60);
    e.OnProbe(t + milliseconds(20), Random(1000 + 2 * burst), Traits(42, 101), -60);
    e.OnProbe(t + milliseconds(21), Random(1001 + 2 * burst), Traits(42, 3000), -60);
  }
  PeopleReport r = Close(e, At(10, 10));
  EXPECT_EQ(r.estimated_devices, 1u);
  EXPECT_EQ(e.tracked_devices(), 1u);
}

// How a phone's signal moves is its own: a lone per-burst randomizer whose
// signal jumps 8-20 dB from burst to burst, beside a till whose signal is
// steady (jumps of 0-1 dB), is one phone, not one device per jump; the
// till's steadiness is borrowed only while it fits the model.
TEST(PeopleEstimatorTest, ASteadyTillDoesNotSplitAJumpyPhone) {
  PeopleEstimator e;
  std::mt19937_64 rng(3);
  const TimePoint start = At(10, 0);
  std::uint64_t mac = 1;
  for (int w = 0; w < 3; ++w) {
    PeopleReport r;
    for (int b = 0; b < 45; ++b) {
      const TimePoint t = start + minutes(15 * w) + seconds(20 * b);
      e.OnProbe(t, Global(999), {}, -60 - (b % 2));
      const int level = -55 - static_cast<int>(rng() % 2) * (8 + static_cast<int>(rng() % 13));
      e.OnProbe(t + seconds(7), Random(mac++),
                Traits(42, static_cast<std::uint16_t>(rng() & 0xFFF)), level);
    }
    r = Close(e, start + minutes(15 * (w + 1)));
    EXPECT_EQ(r.estimated_devices, 2u) << "window " << w;
  }
}

// Ten phones, two of each of five models that reset their counter, each a
// new MAC every 4-6 s (the Argo simulator's phones send 70-370 MACs in 15
// minutes): with no model to calibrate from and few chains of a model at
// once, the chains are the count, not the ~1,800 MACs over a prior cadence
// of one a minute (which gave 97).
TEST(PeopleEstimatorTest, ManyModelsOfAFewChattyPhonesAreCountedByTheirChains) {
  PeopleEstimator e;
  std::mt19937_64 rng(7);
  const TimePoint start = At(10, 0);
  std::uint64_t mac = 1;
  std::vector<TimePoint> next(10, start);
  for (std::size_t p = 0; p < next.size(); ++p) next[p] += milliseconds(300 * p);
  const TimePoint end = start + minutes(15);
  std::uint64_t macs = 0;
  for (bool any = true; any;) {
    any = false;
    auto it = std::min_element(next.begin(), next.end());
    if (*it >= end) break;
    any = true;
    const auto phone = static_cast<std::uint64_t>(it - next.begin());
    const int level = -40 - static_cast<int>(rng() % 30);
    const auto seq = static_cast<std::uint16_t>(rng() & 0xFFF);
    const std::uint64_t m = mac++;
    for (int f = 0; f < 2; ++f) {
      e.OnProbe(*it + milliseconds(20 * f), Random(m), Traits(100 + phone / 2, seq + f), level);
    }
    ++macs;
    *it += milliseconds(4000 + static_cast<int>(rng() % 2000));
  }
  ASSERT_GT(macs, 1500u);
  const PeopleReport r = Close(e, end);
  // Two phones of one model bursting in turn may be taken for one (9 here).
  EXPECT_GE(r.estimated_devices, 8u);
  EXPECT_LE(r.estimated_devices, 10u);
}

// A crowd of one model that resets its counter, beside phones that stand
// apart by vendor elements of their own (their signature is the model's plus
// those elements: the same family) and phones of other models. The crowd's
// MACs are counted at the rate of its family's own phones, not at the rate
// of every phone seen alone (docs/accuracy.md, sixth round).
TEST(PeopleEstimatorTest, ACrowdedModelIsCountedAtItsFamilysRate) {
  constexpr std::uint64_t kFamily = 900;
  struct Phone {
    std::uint64_t fingerprint;
    std::uint64_t family;
    int every_ms;  // a burst, under a new MAC, this often
  };
  for (const bool kin : {true, false}) {
    SCOPED_TRACE(kin ? "the family has phones of its own" : "it has none");
    std::vector<Phone> phones;
    for (int p = 0; p < 20; ++p) phones.push_back({500, kFamily, 20'000});  // the crowd
    for (std::uint64_t p = 0; p < 3; ++p) {
      phones.push_back({600 + p, kin ? kFamily : kFamily + 1 + p, 20'000});
    }
    for (std::uint64_t p = 0; p < 8; ++p) phones.push_back({700 + p, 700 + p, 60'000});
    PeopleEstimator e;
    std::mt19937_64 rng(11);
    const TimePoint start = At(10, 0);
    const TimePoint end = start + minutes(15);
    std::vector<TimePoint> next;
    for (std::size_t p = 0; p < phones.size(); ++p) next.push_back(start + milliseconds(917 * p));
    std::uint64_t mac = 1;
    std::uint64_t crowd_macs = 0;
    for (auto it = std::min_element(next.begin(), next.end()); *it < end;
         it = std::min_element(next.begin(), next.end())) {
      const Phone& phone = phones[static_cast<std::size_t>(it - next.begin())];
      ProbeTraits traits = Traits(phone.fingerprint, static_cast<std::uint16_t>(rng() & 0xFFF));
      traits.has_base = phone.family != phone.fingerprint;
      traits.base_fingerprint = phone.family;
      const std::uint64_t m = mac++;
      for (int f = 0; f < 2; ++f) {
        e.OnProbe(*it + milliseconds(20 * f), Random(m), traits,
                  -40 - static_cast<int>(rng() % 30));
        ++traits.sequence;
      }
      if (phone.fingerprint == 500) ++crowd_macs;
      *it += milliseconds(phone.every_ms + static_cast<int>(rng() % 2000) - 1000);
    }
    ASSERT_GT(crowd_macs, 800u);  // 45 a phone
    const PeopleReport r = Close(e, end);
    if (kin) {
      // 20 + 11 phones: the family's phones send 45 MACs each, as the crowd's.
      EXPECT_GE(r.estimated_devices, 29u);
      EXPECT_LE(r.estimated_devices, 33u);
    } else {
      // The 11 phones alone send 23 MACs each on average: the crowd's 900
      // MACs make about 39 phones.
      EXPECT_GE(r.estimated_devices, 45u);
    }
  }
}

TEST(PeopleEstimatorTest, CarriedPseudonymKeepsTheDevice) {
  PeopleEstimator e;
  e.OnProbe(At(10, 0), Global(1), {}, -50);
  Pseudonym rotated{2, false, true, 1};
  e.OnProbe(At(10, 1), rotated, {}, -50);
  PeopleReport r = Close(e, At(10, 2));
  EXPECT_EQ(r.estimated_devices, 1u);
  EXPECT_EQ(r.arrivals, 1u);
}

TEST(PeopleEstimatorTest, EpochCountsAndTheirResetAtARotation) {
  PeopleEstimator e;
  e.StartEpoch(At(0, 0), false);
  for (int m = 0; m <= 6; ++m) {
    e.OnProbe(PhoneMinute(At(10, 0), m, 6), Global(1), {}, -50);  // a visitor
  }
  e.OnProbe(At(10, 0), Global(2), {}, -90);  // a passer-by
  PeopleReport r = Close(e, At(10, 7));
  EXPECT_EQ(r.epoch_start, At(0, 0));
  EXPECT_EQ(r.epoch_devices, 2u);
  EXPECT_EQ(r.epoch_visitors, 1u);
  // The same global device later the same day: still one distinct device.
  e.OnProbe(At(15, 0), Global(1), {}, -90);
  r = Close(e, At(15, 1));
  EXPECT_EQ(r.epoch_devices, 2u);
  EXPECT_EQ(r.arrivals, 1u);
  // A rotation without carry-over: open visits close, state is dropped.
  e.StartEpoch(At(15, 2), false);
  EXPECT_EQ(e.tracked_devices(), 0u);
  EXPECT_EQ(e.tracked_pseudonyms(), 0u);
  r = Close(e, At(15, 3));
  EXPECT_EQ(r.departures, 1u);
  EXPECT_EQ(r.epoch_devices, 0u);
  EXPECT_EQ(r.epoch_start, At(15, 2));
}

// A busy day of passers-by with a new MAC per burst: what is tracked follows
// the devices present (a few hundred), not the 100,000 MACs of the day.
TEST(PeopleEstimatorTest, MemoryFollowsTheDevicesPresentNotTheDay) {
  PeopleEstimator e;
  std::mt19937_64 rng(7);
  std::uint64_t mac = 1;
  std::size_t most_devices = 0;
  std::size_t most_pseudonyms = 0;
  const TimePoint start = At(8, 0);
  std::uint64_t people = 0;
  for (int minute = 0; minute < 12 * 60; ++minute) {
    // 40 people a minute, each present 2 minutes, a burst every 30 s.
    for (int k = 0; k < 40; ++k, ++people) {
      const std::uint64_t fp = rng() % 12;
      const int rssi = -60 - static_cast<int>(rng() % 30);
      for (int b = 0; b < 4; ++b) {
        e.OnProbe(start + minutes(minute) + seconds(30 * b) + milliseconds(k), Random(mac++),
                  Traits(fp, static_cast<std::uint16_t>(rng() & 0xFFF)), rssi);
      }
    }
    PeopleReport r;
    e.CloseWindow(start + minutes(minute + 1) + seconds(90), r);
    most_devices = std::max(most_devices, e.tracked_devices());
    most_pseudonyms = std::max(most_pseudonyms, e.tracked_pseudonyms());
  }
  EXPECT_GT(mac, 100000u);
  EXPECT_LT(most_devices, 2000u);
  EXPECT_LT(most_pseudonyms, 10000u);  // expired in bulk once the table has doubled
}

TEST(DistinctCounterTest, ExactWhileSmallThenWithinTwoPercent) {
  DistinctCounter c;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    c.Add(Mix64(i));
    c.Add(Mix64(i));
  }
  EXPECT_TRUE(c.exact());
  EXPECT_EQ(c.Estimate(), 1000u);
  for (std::uint64_t i = 0; i < 1'000'000; ++i) c.Add(Mix64(i));
  EXPECT_FALSE(c.exact());
  const double estimate = static_cast<double>(c.Estimate());
  EXPECT_NEAR(estimate, 1e6, 2e4);
  c.Clear();
  EXPECT_EQ(c.Estimate(), 0u);
}

TEST(DistinctCounterTest, SmallCardinalitiesRightAfterTheSwitch) {
  DistinctCounter c;
  for (std::uint64_t i = 0; i < 5000; ++i) c.Add(Mix64(i));
  EXPECT_FALSE(c.exact());
  EXPECT_NEAR(static_cast<double>(c.Estimate()), 5000.0, 100.0);
}

}  // namespace
}  // namespace footfall::analytics
