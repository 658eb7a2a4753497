// Purpose: tests of fixed-device recognition (analytics/fixed_devices.h) with
// explicit times: a timer-driven device (bursts every 60.0 s, some missed,
// several probes per burst) is recognised after `evidence` matching
// intervals, well within an hour, after steady_evidence with a steady signal
// (which alone is nothing); a device heard outside only while nobody is
// inside is recognised after 30 minutes of that, a lone person inside never; a phone's irregular
// bursts, a phone that scans every 5 s, and a cadence broken as often as kept are not; the
// tolerance is the documented one; recognition lasts the epoch and Clear()
// forgets it; candidates unheard for forget_after_us are dropped. Also the
// estimator's use of it: a fixed device is stationary, never a visitor,
// passer-by or occupant, and a global phone with the same signal is.
#include "analytics/fixed_devices.h"

#include <gtest/gtest.h>

#include <random>

#include "analytics/people_estimator.h"
#include "analytics/window_counter.h"
#include "support/test_support.h"

namespace footfall::analytics {
namespace {

constexpr std::int64_t kS = 1'000'000;

// Bursts of 3 probes 20 ms apart, starting at t_s (seconds).
void Burst(FixedDevices& f, std::uint64_t id, double t_s) {
  const auto t = static_cast<std::int64_t>(t_s * kS);
  for (int i = 0; i < 3; ++i) f.OnProbe(id, t + i * 20'000);
}

TEST(FixedDevicesTest, ATimerDrivenDeviceIsRecognisedAfterTheEvidence) {
  FixedDevices f;
  const FixedDeviceOptions o;
  // Every 60 s with +-0.3 s of jitter, the first interval seeding the period.
  double t = 1000;
  Burst(f, 42, t);
  for (int i = 1; i <= o.evidence; ++i) {
    t += 60.0 + (i % 2 == 0 ? 0.3 : -0.3);
    Burst(f, 42, t);
    EXPECT_FALSE(f.IsFixed(42)) << "after " << i << " intervals";
  }
  t += 60.1;
  Burst(f, 42, t);
  EXPECT_TRUE(f.IsFixed(42));  // evidence + 1 intervals: 6 minutes after the first burst
  EXPECT_EQ(f.recognised(), 1u);
  EXPECT_FALSE(f.IsFixed(43));
}

TEST(FixedDevicesTest, ASteadySignalNeedsFewerIntervals) {
  const FixedDeviceOptions o;
  ASSERT_LT(o.steady_evidence, o.evidence);
  // A 60 s timer at -52 / -50 / -53 / -51 dBm (within steady_db = 3): the
  // first interval sets the period, steady_evidence more recognise it, 3
  // minutes after its first burst.
  FixedDevices f;
  f.OnProbe(1, 0, -52);
  f.OnProbe(1, 60 * kS, -50);
  f.OnProbe(1, 120 * kS + 300'000, -53);
  EXPECT_FALSE(f.IsFixed(1));
  f.OnProbe(1, 180 * kS, -51);
  EXPECT_TRUE(f.IsFixed(1));
  // The same timer carried about (8 dB between bursts): the cadence alone,
  // after `evidence` intervals beyond the first.
  FixedDevices g;
  const int signal[] = {-50, -58, -51, -59, -50};
  for (int i = 0; i <= o.evidence + 1; ++i) {
    g.OnProbe(2, i * 60 * kS, signal[i]);
    EXPECT_EQ(g.IsFixed(2), i == o.evidence + 1) << "after " << i << " intervals";
  }
  // A steady signal without the cadence is nothing: a phone on a desk.
  FixedDevices h;
  const double gaps[] = {40, 75, 12, 130, 33, 64, 90, 21, 55, 70};
  double t = 0;
  for (double gap : gaps) {
    h.OnProbe(3, static_cast<std::int64_t>(t * kS), -50);
    t += gap;
  }
  EXPECT_FALSE(h.IsFixed(3));
}

TEST(FixedDevicesTest, PresentWhileTheZoneIsEmptyForHalfAnHour) {
  const FixedDeviceOptions o;
  ASSERT_EQ(o.empty_after_us, 1800 * kS);
  constexpr std::int64_t kW = 300 * kS;  // 5-minute windows
  // Heard at irregular times (no cadence) in windows nobody was inside:
  // recognised at the end of the sixth (30 minutes), not before.
  // (Burst times without a cadence: no interval a multiple of another.)
  const std::int64_t heard_s[] = {10, 400, 620, 1150, 1290, 1760};
  FixedDevices f;
  for (int w = 0; w < 6; ++w) {
    f.OnProbe(7, heard_s[w] * kS);
    f.OnWindow(7, w * kW, (w + 1) * kW, /*zone_empty=*/true);
    EXPECT_EQ(f.IsFixed(7), w == 5) << "window " << w;
  }
  // Somebody inside in one window starts the count again.
  const std::int64_t offset_s[] = {10, 250, 40, 200, 90, 270, 30, 155, 60, 220, 120};
  FixedDevices g;
  for (int w = 0; w < 11; ++w) {
    g.OnProbe(8, w * kW + offset_s[w] * kS);
    g.OnWindow(8, w * kW, (w + 1) * kW, /*zone_empty=*/w != 4);
    EXPECT_EQ(g.IsFixed(8), w == 10) << "window " << w;
  }
  // Windows it is not heard in do not count for or against it; an unknown
  // device is ignored; a new key epoch forgets the run.
  FixedDevices h;
  h.OnWindow(9, 0, kW, true);
  EXPECT_EQ(h.tracked(), 0u);
  h.OnProbe(9, 10 * kS);
  h.OnWindow(9, 0, kW, true);
  h.Clear();
  h.OnProbe(9, 1700 * kS);
  h.OnWindow(9, 1500 * kS, 1800 * kS, true);
  EXPECT_FALSE(h.IsFixed(9));
}

TEST(FixedDevicesTest, MissedBurstsAreWholeMultiplesOfThePeriod) {
  FixedDevices f;
  // 60 s timer heard on one channel at a time: 60, 120, 180, 60, 240, ...
  const double gaps[] = {60.2, 119.8, 180.3, 59.9, 240.1, 60.0, 120.4, 59.7, 60.1, 180.0};
  double t = 0;
  Burst(f, 1, t);
  for (double g : gaps) {
    t += g;
    Burst(f, 1, t);
  }
  EXPECT_TRUE(f.IsFixed(1));
}

TEST(FixedDevicesTest, APhonesIrregularBurstsAreNotFixed) {
  // Intervals drawn like the lab's phones' (a few s to minutes, no timer).
  FixedDevices f;
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> gap(1.0 / 50);
  double t = 0;
  for (int i = 0; i < 2000; ++i) {  // more than a day of bursts
    t += 3.5 + gap(rng);
    Burst(f, 5, t);
  }
  EXPECT_FALSE(f.IsFixed(5));
}

TEST(FixedDevicesTest, AFastScanningPhoneIsNotATimerDevice) {
  // Every 5.0 s for hours (a phone scanning continuously while in use): the
  // period is below min_period_s.
  FixedDevices f;
  for (int i = 0; i < 2000; ++i) Burst(f, 9, 5.0 * i);
  EXPECT_FALSE(f.IsFixed(9));
}

TEST(FixedDevicesTest, ACadenceBrokenAsOftenAsKeptIsNotEnough) {
  // One matching interval, then one that fits no multiple: the score never
  // builds up (a miss costs miss_cost = 2).
  FixedDevices f;
  double t = 0;
  Burst(f, 3, t);
  for (int i = 0; i < 200; ++i) {
    t += 60.0;
    Burst(f, 3, t);
    t += 60.0 + 25.0;  // 85 s: 1.4 periods
    Burst(f, 3, t);
  }
  EXPECT_FALSE(f.IsFixed(3));
}

TEST(FixedDevicesTest, TheToleranceIsOneSecond) {
  const FixedDeviceOptions o;
  ASSERT_DOUBLE_EQ(o.tolerance_s, 1.0);
  // Alternating 60 s and 61.5 s: the second misses the tolerance.
  FixedDevices loose;
  double t = 0;
  Burst(loose, 4, t);
  for (int i = 0; i < 100; ++i) {
    t += (i % 2 == 0) ? 60.0 : 61.5;
    Burst(loose, 4, t);
  }
  EXPECT_FALSE(loose.IsFixed(4));
  // Alternating 60 s and 60.8 s: within it.
  FixedDevices tight;
  t = 0;
  Burst(tight, 4, t);
  for (int i = 0; i < 12; ++i) {
    t += (i % 2 == 0) ? 60.0 : 60.8;
    Burst(tight, 4, t);
  }
  EXPECT_TRUE(tight.IsFixed(4));
}

TEST(FixedDevicesTest, RecognitionLastsTheEpochAndClearForgetsIt) {
  FixedDevices f;
  for (int i = 0; i < 12; ++i) Burst(f, 8, 60.0 * i);
  ASSERT_TRUE(f.IsFixed(8));
  // Switched off for two hours and back: still fixed (expiry keeps it).
  for (int k = 0; k < 3000; ++k) Burst(f, 1000 + k, 8000.0 + k);  // grow the table
  f.Expire(static_cast<std::int64_t>(20000 * kS));
  EXPECT_TRUE(f.IsFixed(8));
  // A new key epoch: nothing is remembered.
  f.Clear();
  EXPECT_FALSE(f.IsFixed(8));
  EXPECT_EQ(f.tracked(), 0u);
  EXPECT_EQ(f.recognised(), 0u);
}

TEST(FixedDevicesTest, CandidatesUnheardForLongAreForgotten) {
  FixedDevices f;
  const FixedDeviceOptions o;
  for (int k = 0; k < 3000; ++k) Burst(f, 1 + k, 10.0 * k);  // 3000 passing devices
  EXPECT_EQ(f.tracked(), 3000u);
  // At 30000 s: those last heard more than 30 min before are dropped.
  const std::int64_t now = 30000 * kS;
  f.Expire(now);
  const std::size_t kept = f.tracked();
  std::size_t expect = 0;
  for (int k = 0; k < 3000; ++k) {
    if (now - static_cast<std::int64_t>(10.0 * k * kS) <= o.forget_after_us) ++expect;
  }
  EXPECT_EQ(kept, expect);
  EXPECT_LT(kept, 3000u);
}

// ---- In the estimator ------------------------------------------------------------

using hashing::Pseudonym;

TimePoint At(std::int64_t s) {
  return footfall::testing::Utc(2026, 5, 4, 9, 0, 0) + std::chrono::seconds(s);
}

PeopleReport Close(PeopleEstimator& e, std::int64_t end_s) {
  PeopleReport r;
  e.CloseWindow(At(end_s), r);
  return r;
}

TEST(FixedDevicesTest, AFixedDeviceIsStationaryNeverAVisitorOrOccupant) {
  PeopleEstimator e;
  // A PC (global address, 60 s timer, -50 dBm) and a phone (global, irregular,
  // -50 dBm) for two hours.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> jitter(5, 110);
  std::uniform_int_distribution<int> moves(-6, 6);  // a carried phone's signal
  double phone_t = 10;
  PeopleReport r;
  for (int w = 0; w < 24; ++w) {  // 5-minute windows
    for (int s = w * 300; s < (w + 1) * 300; s += 60) {
      e.OnProbe(At(s), Pseudonym{100, false}, {}, -50);
    }
    while (phone_t < (w + 1) * 300) {
      e.OnProbe(At(0) + std::chrono::milliseconds(static_cast<std::int64_t>(phone_t * 1000)),
                Pseudonym{200, false}, {}, -50 + moves(rng));
      phone_t += jitter(rng);
    }
    r = Close(e, (w + 1) * 300);
    if (w >= 2) {  // recognised within the first 10 minutes
      EXPECT_EQ(r.occupancy, 1u) << "window " << w;
      EXPECT_EQ(r.stationary, 1u) << "window " << w;
      EXPECT_EQ(r.visitors, 1u) << "window " << w;  // the phone
    }
  }
  // The PC leaves: its visit closes as a stationary departure, not a
  // passer-by; the phone's stays open.
  e.OnProbe(At(24 * 300 + 10), Pseudonym{200, false}, {}, -50);
  const PeopleReport first = Close(e, 25 * 300);         // the PC's visit closes
  const PeopleReport second = Close(e, 26 * 300 + 100);  // the phone's
  EXPECT_EQ(first.departures, 1u);
  EXPECT_EQ(first.passersby, 0u);
  EXPECT_EQ(first.visitor_visits, 0u);
  EXPECT_EQ(second.departures, 1u);
  EXPECT_EQ(second.passersby, 0u);
  EXPECT_EQ(second.visitor_visits, 1u);
  EXPECT_EQ(second.stationary, 0u);
}

TEST(FixedDevicesTest, OccupancyCountsDevicesHeardInsideWithoutADwell) {
  PeopleOptions o;
  o.inside_rssi_dbm = -70;
  PeopleEstimator e(o);
  e.OnProbe(At(10), Pseudonym{1, false}, {}, -60);           // inside, one probe
  e.OnProbe(At(20), Pseudonym{2, false}, {}, -70);           // at the threshold: inside
  e.OnProbe(At(30), Pseudonym{3, false}, {}, -71);           // outside
  e.OnProbe(At(40), Pseudonym{4, false}, {}, std::nullopt);  // no signal: not inside
  e.OnProbe(At(50), Pseudonym{3, false}, {}, -80);
  e.OnProbe(At(280), Pseudonym{5, false}, {}, -65);  // inside, 20 s before the next window
  PeopleReport r = Close(e, 300);
  EXPECT_EQ(r.occupancy, 3u);  // the first figure is the window's count
  EXPECT_EQ(r.visitors, 0u);   // no one stayed 5 minutes
  EXPECT_EQ(r.estimated_devices, 5u);
  // The next window: the ones heard inside in it (3) or in the 30 s before
  // it (5), not 1 and 2 (heard 280 s before it): 2, published as the mean of
  // this count and the previous figure, 2.5, rounded half away from zero.
  e.OnProbe(At(310), Pseudonym{3, false}, {}, -65);
  r = Close(e, 600);
  EXPECT_EQ(r.occupancy, 3u);
  // Nobody heard: the figure halves each window (1.25, 0.625, 0.3125).
  r = Close(e, 900);
  EXPECT_EQ(r.occupancy, 1u);
  r = Close(e, 1200);
  EXPECT_EQ(r.occupancy, 1u);
  r = Close(e, 1500);
  EXPECT_EQ(r.occupancy, 0u);
}

TEST(FixedDevicesTest, EquipmentHeardWhileNobodyIsInsideIsStationary) {
  // After closing time: a neighbour's screen (global address, outside the
  // inside threshold, bursts at irregular times) and nobody inside for 40
  // minutes.
  PeopleEstimator alone;
  PeopleReport r;
  for (int w = 0; w < 8; ++w) {
    for (int s : {0, 101, 160, 262}) alone.OnProbe(At(w * 300 + s), Pseudonym{300, false}, {}, -80);
    r = Close(alone, (w + 1) * 300);
    EXPECT_EQ(r.stationary, w >= 5 ? 1u : 0u) << "window " << w;  // 30 minutes alone
    EXPECT_EQ(r.occupancy, 0u);
  }
  // The same screen while a phone is inside every window (events in time
  // order): not alone, and nothing else makes it fixed.
  PeopleEstimator busy;
  const int phone_s[] = {150, 40, 210, 95, 250, 20, 180, 120};  // no cadence
  for (int w = 0; w < 8; ++w) {
    bool phone_done = false;
    for (int s : {0, 101, 160, 262}) {
      if (!phone_done && phone_s[w] < s) {
        busy.OnProbe(At(w * 300 + phone_s[w]), Pseudonym{400, false}, {}, -55);
        phone_done = true;
      }
      busy.OnProbe(At(w * 300 + s), Pseudonym{300, false}, {}, -80);
    }
    if (!phone_done) busy.OnProbe(At(w * 300 + phone_s[w]), Pseudonym{400, false}, {}, -55);
    r = Close(busy, (w + 1) * 300);
    EXPECT_EQ(r.stationary, 0u) << "window " << w;
    EXPECT_EQ(r.occupancy, 1u) << "window " << w;
  }
  // A person alone inside for 40 minutes (irregular bursts, a steady
  // signal) is an occupant and a visitor, never fixed by this cue.
  PeopleEstimator lone;
  for (int w = 0; w < 8; ++w) {
    for (int s : {0, 101, 160, 262}) lone.OnProbe(At(w * 300 + s), Pseudonym{500, false}, {}, -55);
    r = Close(lone, (w + 1) * 300);
    EXPECT_EQ(r.stationary, 0u) << "window " << w;
    EXPECT_EQ(r.occupancy, 1u) << "window " << w;
  }
  EXPECT_EQ(r.visitors, 1u);
}

TEST(FixedDevicesTest, ANewEpochForgetsTheFixedDevices) {
  PeopleEstimator e;
  for (int s = 0; s < 900; s += 60) e.OnProbe(At(s), Pseudonym{100, false}, {}, -50);
  PeopleReport r = Close(e, 900);
  ASSERT_EQ(r.stationary, 1u);
  ASSERT_EQ(r.occupancy, 0u);
  // Key carried over (devices kept), but the recognition is not.
  e.StartEpoch(At(900), /*keep_devices=*/true);
  e.OnProbe(At(930), Pseudonym{100, false}, {}, -50);
  r = Close(e, 1200);
  EXPECT_EQ(r.stationary, 0u);
  EXPECT_EQ(r.occupancy, 1u);
}

}  // namespace
}  // namespace footfall::analytics
