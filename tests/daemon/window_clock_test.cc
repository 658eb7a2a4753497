// Purpose: windows that follow a clock that can jump (daemon/window_clock.h
// and capture::ClockJumpDetector), with an injected clock: a live sensor's
// wall clock set a year forward (the RTC-less board that boots in 1970 and is
// then set by NTP) or an hour back, and a replay's timestamps jumping both
// ways. Driven through the real WindowCounter: one partial window at the old
// time, no empty windows in between, no window of negative length, no window
// start twice, starts strictly increasing.
#include "daemon/window_clock.h"

#include <gtest/gtest.h>

#include <vector>

#include "analytics/window_counter.h"
#include "support/fake_clock.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::FakeClock;
using footfall::testing::Utc;
using namespace std::chrono_literals;

// The App's handling of a verdict (daemon/app.cc), with the counter.
struct Windows {
  explicit Windows(std::chrono::seconds length, bool live, const capture::Clock& source)
      : clock(length, live, source),
        counter(length, [this](const analytics::WindowReport& r) { emitted.push_back(r); }) {}
  void Event(TimePoint t) {
    switch (clock.Observe(t)) {
      case WindowClock::Verdict::kJumped:
        counter.Flush(clock.jump().from);
        jumps.push_back(clock.jump());
        if (t < clock.resume()) return;
        break;
      case WindowClock::Verdict::kHoldBack:
        return;
      case WindowClock::Verdict::kCount:
        break;
    }
    counter.AdvanceTo(t);
    counter.OnMalformed(t);  // an event in the window of t
  }
  void ExpectWellFormed() const {
    for (std::size_t i = 0; i < emitted.size(); ++i) {
      EXPECT_LT(emitted[i].start, emitted[i].end) << "window " << i << " has no positive length";
      if (i > 0) {
        EXPECT_LE(emitted[i - 1].end, emitted[i].start) << "window " << i << " overlaps";
        EXPECT_LT(emitted[i - 1].start, emitted[i].start) << "start repeated or going back";
      }
    }
  }
  WindowClock clock;
  analytics::WindowCounter counter;
  std::vector<analytics::WindowReport> emitted;
  std::vector<capture::ClockJump> jumps;
};

TEST(ClockJumpDetectorTest, LiveComparesTheWallClockWithTheMonotonicOne) {
  FakeClock clock(Utc(2026, 3, 1, 10, 0));
  capture::ClockJumpDetector d({/*live=*/10s, /*forward_gap=*/24h, /*backward_step=*/10s});
  EXPECT_FALSE(d.Observe(clock.Wall(), clock.Monotonic()));
  clock.Advance(1h);  // a long quiet time is no jump
  EXPECT_FALSE(d.Observe(clock.Wall(), clock.Monotonic()));
  clock.Advance(1s);
  clock.JumpWall(9s);  // under the threshold
  EXPECT_FALSE(d.Observe(clock.Wall(), clock.Monotonic()));
  clock.Advance(1s);
  clock.JumpWall(-11s);
  auto j = d.Observe(clock.Wall(), clock.Monotonic());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->by, -11s);
  EXPECT_EQ(j->to - j->from, -10s);
}

TEST(ClockJumpDetectorTest, EventTimesJumpOnlyBeyondTheGapOrTheStepBack) {
  capture::ClockJumpDetector d({10s, 24h, 10s});
  const auto t0 = Utc(2026, 3, 1, 10, 0);
  EXPECT_FALSE(d.Observe(t0, std::nullopt));
  EXPECT_FALSE(d.Observe(t0 + 23h, std::nullopt));       // a quiet night
  EXPECT_FALSE(d.Observe(t0 + 23h - 5s, std::nullopt));  // skew between radios
  EXPECT_FALSE(d.Observe(t0 + 23h + 1s, std::nullopt));
  auto j = d.Observe(t0 + 47h + 2s, std::nullopt);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->by, 24h + 1s);
  j = d.Observe(t0 + 47h + 2s - 11s, std::nullopt);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->by, -11s);
}

TEST(WindowClockTest, LiveClockSetAYearForwardGivesOnePartialWindowAndNoEmptyOnes) {
  // A board without an RTC boots in 1970; NTP then sets the clock.
  FakeClock clock(Utc(1970, 1, 1, 0, 0, 5));
  Windows w(60s, /*live=*/true, clock);
  for (int i = 0; i < 90; ++i) {
    w.Event(clock.Wall());
    clock.Advance(1s);
  }
  clock.JumpWall(Utc(2026, 3, 1, 10, 0, 30) - clock.Wall());
  for (int i = 0; i < 90; ++i) {
    w.Event(clock.Wall());
    clock.Advance(1s);
  }
  w.counter.Flush(clock.Wall());
  ASSERT_EQ(w.jumps.size(), 1u);
  EXPECT_GT(w.jumps[0].by, 24h * 365 * 56);
  EXPECT_EQ(w.clock.resume(), Utc(2026, 3, 1, 10, 0));
  // 00:00 whole, 00:01 partial (ends at the old time), then 10:00 and 10:01
  // (the last, partial, at the flush).
  ASSERT_EQ(w.emitted.size(), 4u);
  EXPECT_FALSE(w.emitted[0].partial);
  EXPECT_TRUE(w.emitted[1].partial);
  EXPECT_EQ(w.emitted[1].start, Utc(1970, 1, 1, 0, 1));
  EXPECT_EQ(w.emitted[1].end, Utc(1970, 1, 1, 0, 1, 34));
  EXPECT_EQ(w.emitted[2].start, Utc(2026, 3, 1, 10, 0));
  EXPECT_EQ(w.emitted[2].malformed, 30u);
  w.ExpectWellFormed();
}

TEST(WindowClockTest, LiveClockSetAnHourBackHoldsBackUntilTheEndOfTheClosedWindow) {
  FakeClock clock(Utc(2026, 3, 1, 10, 0));
  Windows w(60s, true, clock);
  for (int i = 0; i < 150; ++i) {  // 10:00:00 .. 10:02:29
    w.Event(clock.Wall());
    clock.Advance(1s);
  }
  clock.JumpWall(-1h);
  for (int i = 0; i < 3700; ++i) {  // 09:02:30 .. 10:04:09
    w.Event(clock.Wall());
    clock.Advance(1s);
  }
  w.counter.Flush(clock.Wall());
  ASSERT_EQ(w.jumps.size(), 1u);
  EXPECT_EQ(w.jumps[0].by, -1h);
  EXPECT_EQ(w.clock.resume(), Utc(2026, 3, 1, 10, 3));
  // 10:00, 10:01 whole; 10:02 partial at 10:02:29 (the old time); held back
  // until 10:03; 10:03 whole; 10:04 partial.
  ASSERT_EQ(w.emitted.size(), 5u);
  EXPECT_TRUE(w.emitted[2].partial);
  EXPECT_EQ(w.emitted[2].end, Utc(2026, 3, 1, 10, 2, 29));
  EXPECT_EQ(w.emitted[3].start, Utc(2026, 3, 1, 10, 3));
  EXPECT_FALSE(w.emitted[3].partial);
  EXPECT_EQ(w.emitted[3].malformed, 60u);
  EXPECT_EQ(w.clock.held_back(), 3600u + 30u);  // 09:02:30 .. 10:02:59
  w.ExpectWellFormed();
}

TEST(WindowClockTest, ReplayTimestampsJumpingBothWays) {
  FakeClock clock;  // unused by a replay
  Windows w(1s, /*live=*/false, clock);
  const auto t0 = Utc(2026, 3, 1, 10, 0);
  std::vector<TimePoint> times;
  for (int i = 0; i < 20; ++i) times.push_back(t0 + i * 500ms);  // 10 s
  const auto year = t0 + 24h * 365;
  for (int i = 0; i < 20; ++i) times.push_back(year + i * 500ms);        // a year later
  for (int i = 0; i < 40; ++i) times.push_back(year - 60s + i * 500ms);  // a minute back
  for (auto t : times) w.Event(t);
  w.counter.Flush(times.back());
  ASSERT_EQ(w.jumps.size(), 2u);
  EXPECT_GT(w.jumps[0].by, 24h * 364);
  EXPECT_EQ(w.jumps[1].by, -69500ms);  // from year + 9.5 s to year - 60 s
  // At most a few windows per second of capture, never a year of them.
  EXPECT_LT(w.emitted.size(), 40u);
  w.ExpectWellFormed();
}

}  // namespace
}  // namespace footfall::daemon
