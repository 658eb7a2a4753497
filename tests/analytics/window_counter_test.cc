// Purpose: tests of WindowCounter: alignment of windows to multiples of their
// length since the epoch, boundaries, empty windows between sparse events,
// closing by AdvanceTo, the partial last window of Flush, distinct devices and
// their global/randomized split, signal min/median/max, malformed and bad-FCS
// counts, late events, and the shortest and longest window lengths. Time is
// passed in explicitly; nothing sleeps.
#include "analytics/window_counter.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <time.h>

#include <vector>

namespace footfall::analytics {
namespace {

using hashing::Pseudonym;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

using footfall::testing::Utc;

// 2026-05-04 at the given UTC time of day.
TimePoint At(int hour, int minute, int second = 0) { return Utc(2026, 5, 4, hour, minute, second); }

Pseudonym Global(std::uint64_t v) { return Pseudonym{v, false}; }
Pseudonym Randomized(std::uint64_t v) { return Pseudonym{v, true}; }

// A counter whose reports are collected.
class WindowCounterTest : public ::testing::Test {
 protected:
  WindowCounter& Make(seconds length) {
    counter_ = std::make_unique<WindowCounter>(
        length, [this](const WindowReport& r) { reports_.push_back(r); });
    return *counter_;
  }

  std::unique_ptr<WindowCounter> counter_;
  std::vector<WindowReport> reports_;
};

void ExpectEmpty(const WindowReport& r) {
  EXPECT_EQ(r.probe_requests, 0u);
  EXPECT_EQ(r.malformed, 0u);
  EXPECT_EQ(r.bad_fcs, 0u);
  EXPECT_EQ(r.devices, 0u);
  EXPECT_EQ(r.global_mac, 0u);
  EXPECT_EQ(r.randomized_mac, 0u);
  EXPECT_FALSE(r.rssi_min.has_value());
  EXPECT_FALSE(r.rssi_median.has_value());
  EXPECT_FALSE(r.rssi_max.has_value());
}

TEST(WindowStartTest, FloorsToMultiplesOfTheLengthSinceTheEpoch) {
  EXPECT_EQ(WindowStart(At(10, 0, 30), seconds(60)), At(10, 0));
  EXPECT_EQ(WindowStart(At(10, 0, 30) + milliseconds(999), seconds(60)), At(10, 0));
  EXPECT_EQ(WindowStart(At(10, 1), seconds(60)), At(10, 1));
  EXPECT_EQ(WindowStart(At(10, 1) - milliseconds(1), seconds(60)), At(10, 0));
  EXPECT_EQ(WindowStart(At(10, 7, 12), seconds(300)), At(10, 5));
  EXPECT_EQ(WindowStart(At(10, 7, 12), seconds(3600)), At(10, 0));
  EXPECT_EQ(WindowStart(At(10, 7, 12), seconds(86400)), At(0, 0));  // UTC midnight
  EXPECT_EQ(WindowStart(At(10, 7, 12) + milliseconds(500), seconds(1)), At(10, 7, 12));
  EXPECT_EQ(WindowStart(TimePoint(seconds(13)), seconds(7)), TimePoint(seconds(7)));
  EXPECT_EQ(WindowStart(TimePoint(seconds(-1)), seconds(60)), TimePoint(seconds(-60)));
}

TEST_F(WindowCounterTest, RejectsLengthsOutsideOneSecondToOneDay) {
  auto emit = [](const WindowReport&) {};
  EXPECT_THROW(WindowCounter(seconds(0), emit), std::invalid_argument);
  EXPECT_THROW(WindowCounter(seconds(86401), emit), std::invalid_argument);
  EXPECT_THROW(WindowCounter(seconds(60), nullptr), std::invalid_argument);
  EXPECT_NO_THROW(WindowCounter(seconds(1), emit));
  EXPECT_NO_THROW(WindowCounter(seconds(86400), emit));
}

TEST_F(WindowCounterTest, FirstEventStartsAnAlignedWindow) {
  auto& c = Make(seconds(60));
  EXPECT_FALSE(c.current_start().has_value());
  EXPECT_EQ(c.length(), seconds(60));
  c.OnProbe(At(10, 0, 30), Global(1), -60);
  ASSERT_TRUE(c.current_start().has_value());
  EXPECT_EQ(*c.current_start(), At(10, 0));
  EXPECT_TRUE(reports_.empty());

  c.AdvanceTo(At(10, 1));
  ASSERT_EQ(reports_.size(), 1u);
  const WindowReport& r = reports_[0];
  EXPECT_EQ(r.start, At(10, 0));
  EXPECT_EQ(r.end, At(10, 1));
  EXPECT_FALSE(r.partial);
  EXPECT_EQ(r.probe_requests, 1u);
  EXPECT_EQ(r.devices, 1u);
  EXPECT_EQ(*c.current_start(), At(10, 1));
}

TEST_F(WindowCounterTest, EventExactlyAtTheEndBelongsToTheNextWindow) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 30), Global(1), std::nullopt);
  c.OnProbe(At(10, 1) - milliseconds(1), Global(2), std::nullopt);
  EXPECT_TRUE(reports_.empty());
  c.OnProbe(At(10, 1), Global(3), std::nullopt);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].start, At(10, 0));
  EXPECT_EQ(reports_[0].end, At(10, 1));
  EXPECT_EQ(reports_[0].probe_requests, 2u);
  EXPECT_EQ(reports_[0].devices, 2u);
  EXPECT_EQ(*c.current_start(), At(10, 1));
  EXPECT_EQ(c.current_devices(), 1u);

  c.Flush(At(10, 1, 30));
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].start, At(10, 1));
  EXPECT_EQ(reports_[1].probe_requests, 1u);
}

TEST_F(WindowCounterTest, EmptyWindowsBetweenSparseEvents) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 10), Randomized(1), -50);
  c.OnProbe(At(10, 3, 20), Randomized(1), -55);
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_EQ(reports_[0].start, At(10, 0));
  EXPECT_EQ(reports_[0].probe_requests, 1u);
  EXPECT_EQ(reports_[0].rssi_max, -50);
  for (int i = 1; i <= 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(reports_[i].start, At(10, i));
    EXPECT_EQ(reports_[i].end, At(10, i + 1));
    EXPECT_FALSE(reports_[i].partial);
    ExpectEmpty(reports_[i]);
  }
  EXPECT_EQ(*c.current_start(), At(10, 3));
  EXPECT_EQ(c.current_devices(), 1u);
}

TEST_F(WindowCounterTest, FlushEmitsThePartialLastWindow) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 10), Global(1), -40);
  c.OnMalformed(At(10, 0, 20));
  c.Flush(At(10, 0, 45));
  ASSERT_EQ(reports_.size(), 1u);
  const WindowReport& r = reports_[0];
  EXPECT_EQ(r.start, At(10, 0));
  EXPECT_EQ(r.end, At(10, 0, 45));
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.probe_requests, 1u);
  EXPECT_EQ(r.malformed, 1u);
  EXPECT_EQ(r.devices, 1u);
  EXPECT_EQ(r.rssi_median, -40.0);

  // Nothing is in progress afterwards; flushing again emits nothing.
  EXPECT_FALSE(c.current_start().has_value());
  EXPECT_EQ(c.current_devices(), 0u);
  c.Flush(At(10, 0, 50));
  c.AdvanceTo(At(10, 5));
  EXPECT_EQ(reports_.size(), 1u);

  // A later event starts a new, fresh window.
  c.OnProbe(At(10, 7, 5), Global(1), std::nullopt);
  EXPECT_EQ(*c.current_start(), At(10, 7));
  c.Flush(At(10, 7, 6));
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].start, At(10, 7));
  EXPECT_EQ(reports_[1].end, At(10, 7, 6));
  EXPECT_EQ(reports_[1].probe_requests, 1u);
  EXPECT_EQ(reports_[1].malformed, 0u);
  EXPECT_FALSE(reports_[1].rssi_min.has_value());
}

TEST_F(WindowCounterTest, FlushWithNothingStartedEmitsNothing) {
  auto& c = Make(seconds(60));
  c.Flush(At(10, 0));
  EXPECT_TRUE(reports_.empty());
}

TEST_F(WindowCounterTest, FlushAfterTheEndClosesCompleteWindowsFirst) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 30), Global(1), std::nullopt);
  c.Flush(At(10, 2, 15));
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_EQ(reports_[0].start, At(10, 0));
  EXPECT_FALSE(reports_[0].partial);
  EXPECT_EQ(reports_[0].probe_requests, 1u);
  EXPECT_EQ(reports_[1].start, At(10, 1));
  EXPECT_FALSE(reports_[1].partial);
  ExpectEmpty(reports_[1]);
  EXPECT_EQ(reports_[2].start, At(10, 2));
  EXPECT_EQ(reports_[2].end, At(10, 2, 15));
  EXPECT_TRUE(reports_[2].partial);
  ExpectEmpty(reports_[2]);
}

TEST_F(WindowCounterTest, FlushExactlyAtABoundaryEmitsNoEmptyPartialWindow) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 30), Global(1), std::nullopt);
  c.Flush(At(10, 1));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].start, At(10, 0));
  EXPECT_EQ(reports_[0].end, At(10, 1));
  EXPECT_FALSE(reports_[0].partial);
  EXPECT_FALSE(c.current_start().has_value());
}

TEST_F(WindowCounterTest, FlushAtTheStartOfAWindowWithEventsKeepsThem) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 1), Global(1), std::nullopt);  // exactly at a window start
  c.Flush(At(10, 1));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].start, At(10, 1));
  EXPECT_EQ(reports_[0].end, At(10, 1));
  EXPECT_TRUE(reports_[0].partial);
  EXPECT_EQ(reports_[0].probe_requests, 1u);
}

TEST_F(WindowCounterTest, AdvanceToClosesWindowsWithoutEvents) {
  auto& c = Make(seconds(60));
  c.AdvanceTo(At(10, 0));  // nothing started: nothing happens
  EXPECT_TRUE(reports_.empty());
  EXPECT_FALSE(c.current_start().has_value());

  c.OnBadFcs(At(10, 0, 30));
  c.AdvanceTo(At(10, 0, 59));
  EXPECT_TRUE(reports_.empty());
  c.AdvanceTo(At(10, 4, 59));
  ASSERT_EQ(reports_.size(), 4u);
  EXPECT_EQ(reports_[0].bad_fcs, 1u);
  for (int i = 1; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(reports_[i].start, At(10, i));
    EXPECT_EQ(reports_[i].end - reports_[i].start, minutes(1));
    ExpectEmpty(reports_[i]);
  }
  EXPECT_EQ(*c.current_start(), At(10, 4));
  c.AdvanceTo(At(10, 4, 59));  // again: no change
  c.AdvanceTo(At(9, 0));       // the past: no change
  EXPECT_EQ(reports_.size(), 4u);
  c.AdvanceTo(At(10, 5));
  ASSERT_EQ(reports_.size(), 5u);
  ExpectEmpty(reports_[4]);
  EXPECT_FALSE(reports_[4].partial);
}

TEST_F(WindowCounterTest, DistinctDevicesAndTheirKinds) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 1), Global(11), std::nullopt);
  c.OnProbe(At(10, 0, 2), Randomized(22), std::nullopt);
  c.OnProbe(At(10, 0, 3), Global(11), std::nullopt);      // duplicate
  c.OnProbe(At(10, 0, 4), Randomized(33), std::nullopt);  //
  c.OnProbe(At(10, 0, 5), Randomized(22), std::nullopt);  // duplicate
  c.OnProbe(At(10, 0, 6), Global(44), std::nullopt);
  EXPECT_EQ(c.current_devices(), 4u);
  c.AdvanceTo(At(10, 1));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].probe_requests, 6u);
  EXPECT_EQ(reports_[0].devices, 4u);
  EXPECT_EQ(reports_[0].global_mac, 2u);
  EXPECT_EQ(reports_[0].randomized_mac, 2u);

  // Each window counts its own devices.
  EXPECT_EQ(c.current_devices(), 0u);
  c.OnProbe(At(10, 1, 1), Global(11), std::nullopt);
  c.AdvanceTo(At(10, 2));
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].devices, 1u);
  EXPECT_EQ(reports_[1].global_mac, 1u);
  EXPECT_EQ(reports_[1].randomized_mac, 0u);
}

TEST_F(WindowCounterTest, ManyDevicesAcrossManyWindows) {
  auto& c = Make(seconds(1));
  for (int w = 0; w < 5; ++w) {
    for (std::uint64_t d = 0; d < 10000; ++d) {
      c.OnProbe(At(10, 0, w) + milliseconds(d % 1000), Pseudonym{d * 7919 + 1, d % 3 == 0},
                std::nullopt);
    }
  }
  c.Flush(At(10, 0, 5));
  ASSERT_EQ(reports_.size(), 5u);
  for (const auto& r : reports_) {
    EXPECT_EQ(r.probe_requests, 10000u);
    EXPECT_EQ(r.devices, 10000u);
    EXPECT_EQ(r.randomized_mac, 3334u);
    EXPECT_EQ(r.global_mac, 6666u);
    EXPECT_FALSE(r.partial);
  }
}

TEST_F(WindowCounterTest, SignalMinMedianMaxOddCount) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 1), Global(1), -70);
  c.OnProbe(At(10, 0, 2), Global(2), -50);
  c.OnProbe(At(10, 0, 3), Global(3), -60);
  c.OnProbe(At(10, 0, 4), Global(4), std::nullopt);  // carries no signal
  c.AdvanceTo(At(10, 1));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].rssi_min, -70);
  EXPECT_EQ(reports_[0].rssi_max, -50);
  EXPECT_EQ(reports_[0].rssi_median, -60.0);
}

TEST_F(WindowCounterTest, SignalMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo) {
  auto& c = Make(seconds(60));
  for (int dbm : {-40, -70, -50, -60}) c.OnProbe(At(10, 0, 1), Global(1), dbm);
  c.AdvanceTo(At(10, 1));
  for (int dbm : {-71, -70}) c.OnProbe(At(10, 1, 1), Global(1), dbm);
  c.AdvanceTo(At(10, 2));
  for (int dbm : {-60, -60, -60, -10}) c.OnProbe(At(10, 2, 1), Global(1), dbm);
  c.AdvanceTo(At(10, 3));
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_EQ(reports_[0].rssi_median, -55.0);
  EXPECT_EQ(reports_[0].rssi_min, -70);
  EXPECT_EQ(reports_[0].rssi_max, -40);
  EXPECT_EQ(reports_[1].rssi_median, -70.5);
  EXPECT_EQ(reports_[2].rssi_median, -60.0);
  EXPECT_EQ(reports_[2].rssi_max, -10);
  EXPECT_EQ(reports_[2].rssi_min, -60);
}

TEST_F(WindowCounterTest, SignalMissingEverywhereGivesNoStatistics) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 1), Global(1), std::nullopt);
  c.OnProbe(At(10, 0, 2), Global(2), std::nullopt);
  c.AdvanceTo(At(10, 1));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].probe_requests, 2u);
  EXPECT_FALSE(reports_[0].rssi_min.has_value());
  EXPECT_FALSE(reports_[0].rssi_median.has_value());
  EXPECT_FALSE(reports_[0].rssi_max.has_value());
}

TEST_F(WindowCounterTest, SignalIsClampedToTheHistogramRange) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 1), Global(1), -200);
  c.OnProbe(At(10, 0, 2), Global(1), 300);
  c.OnProbe(At(10, 0, 3), Global(1), -128);
  c.OnProbe(At(10, 0, 4), Global(1), 127);
  c.AdvanceTo(At(10, 1));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].rssi_min, -128);
  EXPECT_EQ(reports_[0].rssi_max, 127);
  EXPECT_EQ(reports_[0].rssi_median, -0.5);
}

TEST_F(WindowCounterTest, SignalStatisticsDoNotLeakIntoTheNextWindow) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 0, 1), Global(1), -30);
  c.OnProbe(At(10, 1, 1), Global(1), -80);
  c.AdvanceTo(At(10, 2));
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].rssi_min, -80);
  EXPECT_EQ(reports_[1].rssi_max, -80);
  EXPECT_EQ(reports_[1].rssi_median, -80.0);
}

TEST_F(WindowCounterTest, MalformedAndBadFcsAreCountedApart) {
  auto& c = Make(seconds(60));
  c.OnMalformed(At(10, 0, 1));  // starts the window by itself
  EXPECT_EQ(*c.current_start(), At(10, 0));
  c.OnMalformed(At(10, 0, 2));
  c.OnBadFcs(At(10, 0, 3));
  c.OnProbe(At(10, 0, 4), Randomized(9), -45);
  c.OnBadFcs(At(10, 1, 30));  // closes the first window
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].malformed, 2u);
  EXPECT_EQ(reports_[0].bad_fcs, 1u);
  EXPECT_EQ(reports_[0].probe_requests, 1u);
  EXPECT_EQ(reports_[0].devices, 1u);
  c.Flush(At(10, 1, 40));
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].bad_fcs, 1u);
  EXPECT_EQ(reports_[1].malformed, 0u);
  EXPECT_EQ(reports_[1].probe_requests, 0u);
  EXPECT_EQ(reports_[1].devices, 0u);
  EXPECT_FALSE(reports_[1].rssi_min.has_value());
}

TEST_F(WindowCounterTest, LateEventIsCountedInTheCurrentWindow) {
  auto& c = Make(seconds(60));
  c.OnProbe(At(10, 1, 10), Global(1), -60);
  c.OnProbe(At(10, 0, 50), Global(2), -62);  // older than the window
  c.OnMalformed(At(9, 0));                   // much older
  EXPECT_TRUE(reports_.empty());
  EXPECT_EQ(*c.current_start(), At(10, 1));
  c.AdvanceTo(At(10, 2));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].start, At(10, 1));
  EXPECT_EQ(reports_[0].probe_requests, 2u);
  EXPECT_EQ(reports_[0].devices, 2u);
  EXPECT_EQ(reports_[0].malformed, 1u);
  EXPECT_EQ(reports_[0].rssi_median, -61.0);
}

TEST_F(WindowCounterTest, OneSecondWindows) {
  auto& c = Make(seconds(1));
  c.OnProbe(At(10, 0, 5) + milliseconds(200), Global(1), -50);
  c.OnProbe(At(10, 0, 5) + milliseconds(900), Global(2), -52);
  c.OnProbe(At(10, 0, 6), Global(1), -54);
  c.OnProbe(At(10, 0, 8) + milliseconds(1), Global(1), -56);
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_EQ(reports_[0].start, At(10, 0, 5));
  EXPECT_EQ(reports_[0].end, At(10, 0, 6));
  EXPECT_EQ(reports_[0].probe_requests, 2u);
  EXPECT_EQ(reports_[0].rssi_median, -51.0);
  EXPECT_EQ(reports_[1].start, At(10, 0, 6));
  EXPECT_EQ(reports_[1].probe_requests, 1u);
  EXPECT_EQ(reports_[2].start, At(10, 0, 7));
  ExpectEmpty(reports_[2]);
  c.Flush(At(10, 0, 8) + milliseconds(500));
  ASSERT_EQ(reports_.size(), 4u);
  EXPECT_EQ(reports_[3].start, At(10, 0, 8));
  EXPECT_EQ(reports_[3].end, At(10, 0, 8) + milliseconds(500));
  EXPECT_TRUE(reports_[3].partial);
  EXPECT_EQ(reports_[3].probe_requests, 1u);
}

TEST_F(WindowCounterTest, OneDayWindowsAlignToUtcMidnight) {
  auto& c = Make(seconds(86400));
  c.OnProbe(Utc(2026, 5, 4, 0, 0, 1), Global(1), std::nullopt);
  c.OnProbe(Utc(2026, 5, 4, 13, 0), Randomized(2), std::nullopt);
  c.OnProbe(Utc(2026, 5, 4, 23, 59, 59), Global(1), std::nullopt);
  EXPECT_EQ(*c.current_start(), Utc(2026, 5, 4, 0, 0));
  c.AdvanceTo(Utc(2026, 5, 4, 23, 59, 59));
  EXPECT_TRUE(reports_.empty());
  c.OnProbe(Utc(2026, 5, 6, 8, 0), Global(3), std::nullopt);
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[0].start, Utc(2026, 5, 4, 0, 0));
  EXPECT_EQ(reports_[0].end, Utc(2026, 5, 5, 0, 0));
  EXPECT_EQ(reports_[0].probe_requests, 3u);
  EXPECT_EQ(reports_[0].devices, 2u);
  EXPECT_EQ(reports_[1].start, Utc(2026, 5, 5, 0, 0));
  EXPECT_EQ(reports_[1].end, Utc(2026, 5, 6, 0, 0));
  ExpectEmpty(reports_[1]);
  c.Flush(Utc(2026, 5, 6, 12, 0));
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_EQ(reports_[2].start, Utc(2026, 5, 6, 0, 0));
  EXPECT_EQ(reports_[2].end, Utc(2026, 5, 6, 12, 0));
  EXPECT_TRUE(reports_[2].partial);
  EXPECT_EQ(reports_[2].devices, 1u);
}

}  // namespace
}  // namespace footfall::analytics
