// Purpose: tests of the key rotation schedules: the daily schedule in UTC and
// in Europe/Berlin across the 2026 DST changes (a wall time that does not
// exist, one that occurs twice), and the periodic schedule's alignment to the
// Unix epoch. Time is passed in; TZ is set per test and restored.
#include "hashing/rotation.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "support/test_support.h"

namespace footfall::hashing {
namespace {

using std::chrono::hours;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Sets TZ for the lifetime of the object and restores the previous value.
using footfall::testing::ScopedTz;

using footfall::testing::Utc;

void RequireZone(const char* zone) {
  ASSERT_TRUE(std::filesystem::exists(std::string("/usr/share/zoneinfo/") + zone))
      << "tzdata is missing " << zone << " (install the tzdata package)";
}

TEST(DailyScheduleTest, DescribesItself) {
  EXPECT_EQ(MakeDailySchedule(4, 0)->Describe(), "daily at 04:00 local time");
  EXPECT_EQ(MakeDailySchedule(23, 5)->Describe(), "daily at 23:05 local time");
}

TEST(DailyScheduleTest, RejectsInvalidTimes) {
  EXPECT_THROW(MakeDailySchedule(24, 0), std::invalid_argument);
  EXPECT_THROW(MakeDailySchedule(-1, 0), std::invalid_argument);
  EXPECT_THROW(MakeDailySchedule(4, 60), std::invalid_argument);
  EXPECT_THROW(MakeDailySchedule(4, -1), std::invalid_argument);
}

TEST(DailyScheduleTest, UtcNextFourOClockStrictlyAfter) {
  ScopedTz tz("UTC");
  auto s = MakeDailySchedule(4, 0);
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 28, 12, 0)), Utc(2026, 3, 29, 4, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 29, 0, 0)), Utc(2026, 3, 29, 4, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 29, 4, 0) - nanoseconds(1)), Utc(2026, 3, 29, 4, 0));
  // Exactly at the rotation time: the next one is a day later.
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 29, 4, 0)), Utc(2026, 3, 30, 4, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 29, 4, 0) + nanoseconds(1)), Utc(2026, 3, 30, 4, 0));
  // Month and year ends.
  EXPECT_EQ(s->NextAfter(Utc(2026, 12, 31, 23, 59, 59)), Utc(2027, 1, 1, 4, 0));
  EXPECT_EQ(s->NextAfter(Utc(2028, 2, 28, 5, 0)), Utc(2028, 2, 29, 4, 0));
}

TEST(DailyScheduleTest, BerlinOrdinaryDaysUseLocalTime) {
  RequireZone("Europe/Berlin");
  ScopedTz tz("Europe/Berlin");
  auto s = MakeDailySchedule(4, 0);
  // Winter (CET, UTC+1) and summer (CEST, UTC+2).
  EXPECT_EQ(s->NextAfter(Utc(2026, 1, 15, 12, 0)), Utc(2026, 1, 16, 3, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 7, 15, 12, 0)), Utc(2026, 7, 16, 2, 0));
}

TEST(DailyScheduleTest, BerlinSpringForwardKeepsWallTime) {
  RequireZone("Europe/Berlin");
  ScopedTz tz("Europe/Berlin");
  auto s = MakeDailySchedule(4, 0);
  // 2026-03-28 12:00 CET = 11:00Z -> 2026-03-29 04:00 CEST = 02:00Z (a 23 h day).
  const TimePoint first = s->NextAfter(Utc(2026, 3, 28, 11, 0));
  EXPECT_EQ(first, Utc(2026, 3, 29, 2, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 28, 3, 0) - nanoseconds(1)), Utc(2026, 3, 28, 3, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 28, 3, 0)), first);
  EXPECT_EQ(s->NextAfter(first), Utc(2026, 3, 30, 2, 0));
}

TEST(DailyScheduleTest, BerlinSpringForwardGapRotatesAtEndOfGap) {
  RequireZone("Europe/Berlin");
  ScopedTz tz("Europe/Berlin");
  // 02:30 does not exist on 2026-03-29 (02:00 CET -> 03:00 CEST at 01:00Z):
  // the rotation is at the first instant after the gap, 03:00 CEST = 01:00Z.
  auto s = MakeDailySchedule(2, 30);
  const TimePoint in_gap_day = s->NextAfter(Utc(2026, 3, 28, 11, 0));
  EXPECT_EQ(in_gap_day, Utc(2026, 3, 29, 1, 0));
  // Just before the gap (01:59:59 CET) too.
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 29, 0, 59, 59)), Utc(2026, 3, 29, 1, 0));
  // The next day 02:30 exists again: 02:30 CEST = 00:30Z.
  EXPECT_EQ(s->NextAfter(in_gap_day), Utc(2026, 3, 30, 0, 30));
  // The day before, 02:30 CET = 01:30Z.
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 27, 11, 0)), Utc(2026, 3, 28, 1, 30));
  // The gap's start itself (02:00) does not exist either.
  EXPECT_EQ(MakeDailySchedule(2, 0)->NextAfter(Utc(2026, 3, 28, 11, 0)), Utc(2026, 3, 29, 1, 0));
  // 03:00 CEST exists (it is the end of the gap).
  EXPECT_EQ(MakeDailySchedule(3, 0)->NextAfter(Utc(2026, 3, 28, 11, 0)), Utc(2026, 3, 29, 1, 0));
}

TEST(DailyScheduleTest, BerlinFallBackRotatesOnceAtFirstOccurrence) {
  RequireZone("Europe/Berlin");
  ScopedTz tz("Europe/Berlin");
  // On 2026-10-25 clocks go back from 03:00 CEST to 02:00 CET at 01:00Z, so
  // 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
  auto s = MakeDailySchedule(2, 30);
  const TimePoint first = s->NextAfter(Utc(2026, 10, 24, 10, 0));
  EXPECT_EQ(first, Utc(2026, 10, 25, 0, 30));
  // Not again at the second 02:30: the next one is the day after, 02:30 CET.
  EXPECT_EQ(s->NextAfter(first), Utc(2026, 10, 26, 1, 30));
  // From inside the repeated hour (02:10 CET, after the first 02:30).
  EXPECT_EQ(s->NextAfter(Utc(2026, 10, 25, 1, 10)), Utc(2026, 10, 26, 1, 30));
  // From inside the repeated hour on its first pass (02:10 CEST).
  EXPECT_EQ(s->NextAfter(Utc(2026, 10, 25, 0, 10)), first);
}

TEST(DailyScheduleTest, BerlinFallBackKeepsWallTime) {
  RequireZone("Europe/Berlin");
  ScopedTz tz("Europe/Berlin");
  auto s = MakeDailySchedule(4, 0);
  // 04:00 CEST on 10-24 = 02:00Z; 04:00 CET on 10-25 = 03:00Z (a 25 h day).
  EXPECT_EQ(s->NextAfter(Utc(2026, 10, 23, 10, 0)), Utc(2026, 10, 24, 2, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 10, 24, 2, 0)), Utc(2026, 10, 25, 3, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 10, 25, 3, 0)), Utc(2026, 10, 26, 3, 0));
}

TEST(DailyScheduleTest, NewYorkSpringForwardGap) {
  RequireZone("America/New_York");
  ScopedTz tz("America/New_York");
  // 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z; 02:15 does not exist.
  EXPECT_EQ(MakeDailySchedule(2, 15)->NextAfter(Utc(2026, 3, 7, 17, 0)), Utc(2026, 3, 8, 7, 0));
  EXPECT_EQ(MakeDailySchedule(4, 0)->NextAfter(Utc(2026, 3, 7, 17, 0)), Utc(2026, 3, 8, 8, 0));
}

TEST(DailyScheduleTest, FollowsTzChangesAfterCreation) {
  RequireZone("Europe/Berlin");
  auto s = MakeDailySchedule(4, 0);
  {
    ScopedTz tz("UTC");
    EXPECT_EQ(s->NextAfter(Utc(2026, 7, 15, 12, 0)), Utc(2026, 7, 16, 4, 0));
  }
  {
    ScopedTz tz("Europe/Berlin");
    EXPECT_EQ(s->NextAfter(Utc(2026, 7, 15, 12, 0)), Utc(2026, 7, 16, 2, 0));
  }
}

TEST(PeriodicScheduleTest, DescribesItself) {
  EXPECT_EQ(MakePeriodicSchedule(seconds(3600))->Describe(), "every 3600 s");
  EXPECT_EQ(MakePeriodicSchedule(seconds(1))->Describe(), "every 1 s");
}

TEST(PeriodicScheduleTest, RejectsNonPositivePeriods) {
  EXPECT_THROW(MakePeriodicSchedule(seconds(0)), std::invalid_argument);
  EXPECT_THROW(MakePeriodicSchedule(seconds(-5)), std::invalid_argument);
}

TEST(PeriodicScheduleTest, AlignedToMultiplesSinceEpoch) {
  auto hourly = MakePeriodicSchedule(hours(1));
  EXPECT_EQ(hourly->NextAfter(Utc(2026, 5, 4, 10, 20)), Utc(2026, 5, 4, 11, 0));
  EXPECT_EQ(hourly->NextAfter(Utc(2026, 5, 4, 11, 0) - nanoseconds(1)), Utc(2026, 5, 4, 11, 0));
  EXPECT_EQ(hourly->NextAfter(Utc(2026, 5, 4, 11, 0)), Utc(2026, 5, 4, 12, 0));

  auto daily = MakePeriodicSchedule(hours(24));
  EXPECT_EQ(daily->NextAfter(Utc(2026, 5, 4, 10, 20)), Utc(2026, 5, 5, 0, 0));

  // An odd period: multiples of 7 s since 1970-01-01T00:00:00Z.
  auto seven = MakePeriodicSchedule(seconds(7));
  EXPECT_EQ(seven->NextAfter(TimePoint(seconds(0))), TimePoint(seconds(7)));
  EXPECT_EQ(seven->NextAfter(TimePoint(seconds(13))), TimePoint(seconds(14)));
  EXPECT_EQ(seven->NextAfter(TimePoint(seconds(14))), TimePoint(seconds(21)));
  const TimePoint t = Utc(2026, 5, 4, 10, 20, 3);
  const TimePoint next = seven->NextAfter(t);
  EXPECT_GT(next, t);
  EXPECT_LE(next - t, seconds(7));
  EXPECT_EQ(next.time_since_epoch() % seconds(7), seconds(0));
}

TEST(PeriodicScheduleTest, IndependentOfTimeZone) {
  RequireZone("Europe/Berlin");
  ScopedTz tz("Europe/Berlin");
  EXPECT_EQ(MakePeriodicSchedule(hours(24))->NextAfter(Utc(2026, 3, 29, 0, 30)),
            Utc(2026, 3, 30, 0, 0));
}

TEST(RotationPlanTest, TimeOfDayParsedOnce) {
  Result<TimeOfDay> t = ParseTimeOfDay("03:30");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->hour, 3);
  EXPECT_EQ(t->minute, 30);
  EXPECT_EQ(t->ToString(), "03:30");
  EXPECT_EQ(ParseTimeOfDay("23:59")->ToString(), "23:59");
  EXPECT_EQ(ParseTimeOfDay("00:00")->ToString(), "00:00");
  for (const char* bad : {"24:00", "4:00", "04:60", "04:00:00", "ab:cd", "", "-1:00"}) {
    const Result<TimeOfDay> r = ParseTimeOfDay(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().rfind("must be a local time of day", 0), 0u) << r.error();
  }
}

TEST(RotationPlanTest, MakeScheduleIsDailyUnlessAPeriodIsSet) {
  RotationPlan plan;
  EXPECT_EQ(plan.daily_at.ToString(), "04:00");
  EXPECT_EQ(MakeSchedule(plan)->Describe(), MakeDailySchedule(4, 0)->Describe());
  plan.daily_at = {5, 15};
  EXPECT_EQ(MakeSchedule(plan)->Describe(), MakeDailySchedule(5, 15)->Describe());
  plan.every = std::chrono::seconds(3600);
  EXPECT_EQ(MakeSchedule(plan)->Describe(),
            MakePeriodicSchedule(std::chrono::seconds(3600))->Describe());
}

}  // namespace
}  // namespace footfall::hashing
