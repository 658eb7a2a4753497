// Purpose: tests of RateMeter, the frames/min of the status line, with time
// driven by the test.
#include "daemon/rate_meter.h"

#include <gtest/gtest.h>

namespace footfall::daemon {
namespace {

using std::chrono::seconds;

TEST(RateMeterTest, ZeroUntilTwoSamples) {
  RateMeter m;
  EXPECT_EQ(m.PerMinute(), 0);
  m.Sample(RateMeter::Clock::time_point(seconds(100)), 50);
  EXPECT_EQ(m.PerMinute(), 0);
}

TEST(RateMeterTest, ExtrapolatesBeforeAMinuteHasPassed) {
  RateMeter m;
  const RateMeter::Clock::time_point t0(seconds(1000));
  m.Sample(t0, 0);
  m.Sample(t0 + seconds(10), 20);  // 2 per second
  EXPECT_DOUBLE_EQ(m.PerMinute(), 120);
}

TEST(RateMeterTest, ForgetsWhatIsOlderThanTheSpan) {
  RateMeter m;
  const RateMeter::Clock::time_point t0(seconds(1000));
  // A burst of 6000 in the first second, then 1 per second for two minutes.
  m.Sample(t0, 0);
  m.Sample(t0 + seconds(1), 6000);
  std::uint64_t total = 6000;
  for (int s = 2; s <= 121; ++s) m.Sample(t0 + seconds(s), ++total);
  // Only the last minute counts: 1 per second.
  EXPECT_NEAR(m.PerMinute(), 60, 1.01);
}

TEST(RateMeterTest, ACounterThatWentBackwardsGivesZero) {
  RateMeter m;
  const RateMeter::Clock::time_point t0(seconds(1000));
  m.Sample(t0, 100);
  m.Sample(t0 + seconds(5), 10);
  EXPECT_EQ(m.PerMinute(), 0);
}

}  // namespace
}  // namespace footfall::daemon
