// Purpose: tests of Utc (base/utc_time.h): known instants (the epoch, a leap
// day, the end of a year), a field that rolls over, and independence from
// the local time zone.
#include "base/utc_time.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace footfall {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

std::int64_t Seconds(system_clock::time_point t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

TEST(UtcTimeTest, KnownInstants) {
  EXPECT_EQ(Seconds(Utc(1970, 1, 1, 0, 0)), 0);
  EXPECT_EQ(Seconds(Utc(2026, 11, 24, 10, 0)), 1795514400);
  EXPECT_EQ(Seconds(Utc(2024, 2, 8, 12, 0)), 1707393600);
  EXPECT_EQ(Seconds(Utc(2024, 2, 29, 23, 59, 59)), 1709251199);
  EXPECT_EQ(Seconds(Utc(2025, 12, 31, 23, 59, 59)) + 1, Seconds(Utc(2026, 1, 1, 0, 0)));
}

TEST(UtcTimeTest, FieldsRollOverAsTimegmDoes) {
  EXPECT_EQ(Utc(2026, 5, 4, 24, 0), Utc(2026, 5, 5, 0, 0));
  EXPECT_EQ(Utc(2026, 5, 4, 10, 0, 60), Utc(2026, 5, 4, 10, 1, 0));
}

TEST(UtcTimeTest, TheLocalTimeZoneDoesNotMatter) {
  const system_clock::time_point in_utc = Utc(2026, 3, 29, 2, 30);
  testing::ScopedTz berlin("Europe/Berlin");  // 02:30 does not exist there that day
  EXPECT_EQ(Utc(2026, 3, 29, 2, 30), in_utc);
  testing::ScopedTz sydney("Australia/Sydney");
  EXPECT_EQ(Utc(2026, 3, 29, 2, 30), in_utc);
}

}  // namespace
}  // namespace footfall
