// Purpose: tests that a key's lifetime is bounded by more than the wall clock
// (issue 15, point 6), with injected wall and boot clocks: a key rotates once
// its age on the boot clock reaches the period even if the wall clock stands
// still or runs slow, and at once when the wall clock steps back by more than
// a minute (the old key is then wiped at once, with or without carry-over);
// a stepped-back clock never brings back an earlier epoch index; small steps
// and NTP-size drift change nothing; and the step detector itself
// (capture::ClockJumpDetector).
#include <gtest/gtest.h>

#include <cstdint>

#include "capture/clock.h"
#include "hashing/pseudonymizer.h"
#include "hashing/rotation.h"
#include "support/key_sources.h"
#include "support/test_support.h"

namespace footfall::hashing {
namespace {

using capture::BootTime;
using capture::ClockJumpDetector;
using footfall::testing::SlotIsZero;
using footfall::testing::Utc;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

std::unique_ptr<Pseudonymizer> Make(std::unique_ptr<RotationSchedule> schedule, TimePoint now,
                                    seconds carry_over = seconds(0)) {
  return std::make_unique<Pseudonymizer>(Algorithm::kSipHash24, std::move(schedule),
                                         std::make_unique<footfall::testing::TestKeySource>(), now,
                                         carry_over);
}

TEST(ClockJumpDetectorTest, ReportsStepsBeyondTheThresholdEitherWay) {
  ClockJumpDetector d{std::chrono::minutes(1)};  // as the pseudonymizer uses it
  const TimePoint t0 = Utc(2026, 3, 1, 12, 0, 0);
  const BootTime b0 = hours(5);
  EXPECT_FALSE(d.Observe(t0, b0));  // the first observation
  EXPECT_FALSE(d.Observe(t0 + seconds(1), b0 + seconds(1)));
  // NTP-size corrections and late timestamps are not steps.
  EXPECT_FALSE(d.Observe(t0 + seconds(30), b0 + seconds(2)));
  EXPECT_FALSE(d.Observe(t0 + seconds(31), b0 + seconds(60)));
  // An operator sets the clock back by an hour.
  auto step = d.Observe(t0 - minutes(30), b0 + seconds(61));
  ASSERT_TRUE(step);
  EXPECT_LT(*step, -minutes(30));
  // ... and forward by two days.
  step = d.Observe(t0 + hours(48), b0 + seconds(62));
  ASSERT_TRUE(step);
  EXPECT_GT(*step, hours(48));
  EXPECT_FALSE(d.Observe(t0 + hours(48) + seconds(1), b0 + seconds(63)));
}

TEST(ClockJumpDetectorTest, TheBootClockAdvances) {
  const BootTime a = capture::BootClockNow();
  const BootTime b = capture::BootClockNow();
  EXPECT_GT(a, BootTime::zero());
  EXPECT_GE(b, a);
}

TEST(KeyAgeTest, AStoppedWallClockDoesNotKeepTheKeyPastThePeriod) {
  // A board without RTC whose clock stays at the same second: daily schedule,
  // rotation 04:00, wall clock at 10:00 forever.
  const TimePoint wall = Utc(2026, 3, 1, 10, 0, 0);
  auto p = Make(MakeDailySchedule(4, 0), wall);
  BootTime boot = hours(1);
  for (int s = 0; s < 24 * 3600; s += 30) {
    // Observed about once a second in production; twice a minute is enough here.
    ASSERT_FALSE(p->AdvanceTo(wall, boot + seconds(s))) << s;
  }
  EXPECT_EQ(p->epoch(), 0u);
  EXPECT_TRUE(p->AdvanceTo(wall, boot + hours(24)));
  EXPECT_EQ(p->epoch(), 1u);
  EXPECT_EQ(p->last_rotation_reason(), RotationReason::kKeyAge);
  EXPECT_TRUE(SlotIsZero(*p, p->current_slot_for_test() ^ 1U)) << "the old key is wiped";
  // The next key's age counts from its own birth.
  for (int s = 30; s < 24 * 3600; s += 30) {
    ASSERT_FALSE(p->AdvanceTo(wall, boot + hours(24) + seconds(s))) << s;
  }
  EXPECT_TRUE(p->AdvanceTo(wall, boot + hours(48)));
  EXPECT_EQ(p->epoch(), 2u);
}

TEST(KeyAgeTest, ASlowWallClockIsCaughtByTheBootClock) {
  // Periodic keys of one hour; the wall clock runs at half speed, in steps
  // too small to be a jump (30 s per minute).
  TimePoint wall = Utc(2026, 3, 1, 10, 0, 5);
  auto p = Make(MakePeriodicSchedule(hours(1)), wall);
  BootTime boot = hours(100);
  const BootTime born = boot;
  ASSERT_FALSE(p->AdvanceTo(wall, boot));  // the key's age counts from here
  std::uint64_t rotations = 0;
  for (int m = 1; m <= 60; ++m) {
    wall += seconds(30);
    boot += seconds(60);
    if (p->AdvanceTo(wall, boot)) ++rotations;
  }
  EXPECT_EQ(rotations, 1u);
  EXPECT_EQ(p->last_rotation_reason(), RotationReason::kKeyAge);
  EXPECT_EQ(boot - born, hours(1));
}

TEST(KeyAgeTest, AWallClockStepBackRotatesAtOnceAndWipesEvenWithCarryOver) {
  const TimePoint t0 = Utc(2026, 3, 1, 10, 0, 0);
  auto p = Make(MakeDailySchedule(4, 0), t0, /*carry_over=*/seconds(600));
  BootTime boot = hours(2);
  ASSERT_FALSE(p->AdvanceTo(t0, boot));
  ASSERT_FALSE(p->AdvanceTo(t0 + seconds(1), boot + seconds(1)));
  const std::int64_t index_before = p->epoch_index();
  // Back by one day and a bit: without the boot clock the key would live until
  // 04:00 two days later (42 h).
  const TimePoint back = t0 - hours(25);
  EXPECT_TRUE(p->AdvanceTo(back, boot + seconds(2)));
  EXPECT_EQ(p->epoch(), 1u);
  EXPECT_EQ(p->last_rotation_reason(), RotationReason::kClockStepBack);
  EXPECT_FALSE(p->carrying_over()) << "an unscheduled rotation keeps no old key";
  EXPECT_TRUE(SlotIsZero(*p, p->current_slot_for_test() ^ 1U));
  EXPECT_GT(p->epoch_index(), index_before) << "an earlier epoch's index must never come back";
  EXPECT_EQ(p->epoch_start(), back);
  // The schedule's next instant (04:00 of the stepped-back day's next day)
  // is for an index the key already passed: no second rotation then, and
  // none from small steps either.
  EXPECT_FALSE(p->AdvanceTo(back + seconds(30), boot + seconds(32)));
  const TimePoint next_four = Utc(2026, 3, 1, 4, 0, 1);
  EXPECT_FALSE(p->AdvanceTo(next_four, boot + seconds(32) + (next_four - (back + seconds(30)))));
  EXPECT_EQ(p->epoch(), 1u);
}

TEST(KeyAgeTest, WithoutBootReadingsOnlyTheScheduleCounts) {
  // A replay: the capture's clock alone (no boot clock), stepping back is
  // ignored as before.
  const TimePoint t0 = Utc(2026, 3, 1, 10, 0, 0);
  auto p = Make(MakePeriodicSchedule(hours(1)), t0);
  EXPECT_FALSE(p->AdvanceTo(t0 - hours(3)));
  EXPECT_EQ(p->epoch(), 0u);
  EXPECT_TRUE(p->AdvanceTo(t0 + hours(1)));
  EXPECT_EQ(p->last_rotation_reason(), RotationReason::kScheduled);
}

TEST(KeyAgeTest, ScheduledRotationsAreUnchangedWithAnHonestClock) {
  // Wall and boot clocks in step for three days: exactly one rotation a day,
  // all scheduled.
  TimePoint wall = Utc(2026, 3, 1, 10, 0, 0);
  auto p = Make(MakeDailySchedule(4, 0), wall);
  BootTime boot = hours(1);
  int rotations = 0;
  for (int m = 0; m < 3 * 24 * 60; ++m) {
    wall += minutes(1);
    boot += minutes(1);
    if (p->AdvanceTo(wall, boot)) {
      ++rotations;
      EXPECT_EQ(p->last_rotation_reason(), RotationReason::kScheduled);
    }
  }
  EXPECT_EQ(rotations, 3);
}

}  // namespace
}  // namespace footfall::hashing
