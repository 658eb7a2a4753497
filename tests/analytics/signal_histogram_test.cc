// Purpose: tests of the signal view's histogram (analytics/signal_histogram.h):
// each device counts once, in the bin of its strongest signal; bins are 5 dB
// from a floor (negative values round down); empty bins between are kept;
// only the last hour counts and older slots are forgotten; Clear() forgets
// every device; and PeopleEstimator::DeviceOf gives one identity for the
// randomized addresses grouped into one device. Time is passed in.
#include "analytics/signal_histogram.h"

#include <gtest/gtest.h>

#include "analytics/people_estimator.h"
#include "support/test_support.h"

namespace footfall::analytics {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(int hour, int minute, int second = 0) {
  return footfall::testing::Utc(2026, 5, 4, hour, minute, second);
}

TEST(SignalHistogramTest, BinFloorsRoundDownInFiveDbSteps) {
  EXPECT_EQ(SignalBinFloor(-63), -65);
  EXPECT_EQ(SignalBinFloor(-65), -65);
  EXPECT_EQ(SignalBinFloor(-66), -70);
  EXPECT_EQ(SignalBinFloor(-1), -5);
  EXPECT_EQ(SignalBinFloor(0), 0);
}

TEST(SignalHistogramTest, EachDeviceCountsOnceAtItsStrongestSignal) {
  SignalHistogram h;
  h.Add(At(10, 0), 1, -80);
  h.Add(At(10, 5), 1, -52);  // device 1 came close: -52 is its strongest
  h.Add(At(10, 6), 1, -90);
  h.Add(At(10, 7), 2, -88);
  h.Add(At(10, 8), 3, -86);
  const auto bins = h.Snapshot(At(10, 10));
  ASSERT_EQ(bins.size(), 8u);  // -90 .. -55, the empty ones between included
  EXPECT_EQ(bins.front().from_dbm, -90);
  EXPECT_EQ(bins.front().devices, 2u);  // devices 2 and 3
  EXPECT_EQ(bins.back().from_dbm, -55);
  EXPECT_EQ(bins.back().devices, 1u);  // device 1, once
  std::uint64_t total = 0;
  for (const auto& b : bins) total += b.devices;
  EXPECT_EQ(total, 3u);
}

TEST(SignalHistogramTest, OnlyTheLastHourCountsAndOlderSlotsAreForgotten) {
  SignalHistogram h(std::chrono::hours(1), seconds(60));
  h.Add(At(9, 0, 30), 1, -40);  // slot 09:00-09:01
  h.Add(At(9, 30), 2, -60);
  EXPECT_EQ(h.Snapshot(At(10, 0, 59)).size(), 5u);  // 09:00 slot ends after 09:00:59: kept
  const auto bins = h.Snapshot(At(10, 1));          // it ends at 10:01 - 1 h: gone
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_EQ(bins[0].from_dbm, -60);
  EXPECT_EQ(h.entries(), 1u);
  EXPECT_TRUE(h.Snapshot(At(10, 31)).empty());
  EXPECT_EQ(h.entries(), 0u);
}

TEST(SignalHistogramTest, AStrongerSightingInALaterSlotWins) {
  SignalHistogram h;
  h.Add(At(10, 0), 7, -75);
  h.Add(At(10, 20), 7, -45);
  h.Add(At(10, 40), 7, -70);
  const auto bins = h.Snapshot(At(10, 50));
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_EQ(bins[0].from_dbm, -45);
  // An hour after the strong sighting only the weaker ones remain.
  const auto later = h.Snapshot(At(11, 21));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].from_dbm, -70);
}

TEST(SignalHistogramTest, ClearForgetsEveryDevice) {
  SignalHistogram h;
  h.Add(At(3, 59), 1, -50);
  h.Clear();
  EXPECT_TRUE(h.Snapshot(At(4, 0)).empty());
}

TEST(SignalHistogramTest, DeviceOfGivesOneIdentityPerEstimatedDevice) {
  PeopleEstimator e;
  const hashing::Pseudonym global{0x1111, false};
  e.OnProbe(At(10, 0), global, {}, -60);
  ASSERT_TRUE(e.DeviceOf(0x1111).has_value());
  EXPECT_FALSE(e.DeviceOf(0x2222).has_value());  // never seen
  // Two randomized addresses of one phone, linked by sequence continuity.
  e.OnProbe(At(10, 1), hashing::Pseudonym{0xA1, true}, ProbeTraits{true, 77, 100}, -55);
  e.OnProbe(At(10, 1, 20), hashing::Pseudonym{0xA2, true}, ProbeTraits{true, 77, 103}, -56);
  ASSERT_TRUE(e.DeviceOf(0xA1).has_value());
  ASSERT_TRUE(e.DeviceOf(0xA2).has_value());
  EXPECT_EQ(*e.DeviceOf(0xA1), *e.DeviceOf(0xA2));
  EXPECT_NE(*e.DeviceOf(0xA1), *e.DeviceOf(0x1111));
}

}  // namespace
}  // namespace footfall::analytics
