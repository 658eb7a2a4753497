// Purpose: the key rotation schedules (see rotation.h). The daily schedule
// works in local wall-clock time through localtime_r/mktime, so it follows the
// process's TZ across DST changes: a wall time that falls into a
// spring-forward gap resolves to the first instant after the gap, and one that
// occurs twice on a fall-back day resolves to its first occurrence.
#include "hashing/rotation.h"

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace footfall::hashing {
namespace {

using std::chrono::seconds;

// Whole seconds of `t`, rounded towards the past.
std::int64_t FloorSeconds(TimePoint t) {
  return std::chrono::floor<seconds>(t).time_since_epoch().count();
}

TimePoint FromSeconds(std::int64_t s) { return TimePoint(seconds(s)); }

// Local wall-clock time of instant `s`, as seconds of a naive (UTC-like) time
// line: 2026-03-29 02:30 local maps to timegm(2026-03-29 02:30). Monotonic in
// `s` except where clocks go back.
std::int64_t NaiveLocal(std::int64_t s, long* gmtoff = nullptr) {
  const time_t tt = static_cast<time_t>(s);
  struct tm lt {};
  if (localtime_r(&tt, &lt) == nullptr) throw std::runtime_error("localtime_r failed");
  if (gmtoff != nullptr) *gmtoff = lt.tm_gmtoff;
  return static_cast<std::int64_t>(timegm(&lt));
}

// The earliest instant whose local wall-clock time is at or after the naive
// wall time `wall` (seconds on the naive time line). For an ordinary wall time
// that is the instant at which it occurs; for one inside a spring-forward gap
// it is the end of the gap; for one that occurs twice it is the first.
std::int64_t ResolveWallTime(std::int64_t wall) {
  // The UTC offsets in force a day and a half around `wall` cover any single
  // transition that could affect it.
  long off_before = 0;
  long off_after = 0;
  NaiveLocal(wall - 36 * 3600, &off_before);
  NaiveLocal(wall + 36 * 3600, &off_after);

  // mktime with tm_isdst = -1 is the primary resolver; the offsets around the
  // day add the candidates mktime may not pick in an ambiguous hour.
  std::int64_t candidates[3];
  int n = 0;
  {
    const time_t tt = static_cast<time_t>(wall);
    struct tm want {};
    gmtime_r(&tt, &want);
    want.tm_isdst = -1;
    const time_t m = mktime(&want);
    if (m != static_cast<time_t>(-1)) candidates[n++] = static_cast<std::int64_t>(m);
  }
  candidates[n++] = wall - off_before;
  candidates[n++] = wall - off_after;

  bool found = false;
  std::int64_t best = 0;
  for (int i = 0; i < n; ++i) {
    if (NaiveLocal(candidates[i]) == wall && (!found || candidates[i] < best)) {
      best = candidates[i];
      found = true;
    }
  }
  if (found) return best;

  // The wall time does not exist: it lies in a gap. The gap's end (the
  // transition instant) lies between the two readings of `wall`; the naive
  // local time is monotonic there, so bisect for the first instant whose
  // local time is at or after `wall`.
  std::int64_t lo = wall - std::max(off_before, off_after);  // local time < wall
  std::int64_t hi = wall - std::min(off_before, off_after);  // local time > wall
  if (NaiveLocal(lo) >= wall || NaiveLocal(hi) < wall) {
    throw std::runtime_error("cannot resolve local wall time across a time zone transition");
  }
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (NaiveLocal(mid) >= wall) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

class DailySchedule final : public RotationSchedule {
 public:
  DailySchedule(int hour, int minute) : hour_(hour), minute_(minute) {}

  TimePoint NextAfter(TimePoint t) const override {
    const std::int64_t now = FloorSeconds(t);
    const time_t tt = static_cast<time_t>(now);
    struct tm today {};
    if (localtime_r(&tt, &today) == nullptr) throw std::runtime_error("localtime_r failed");
    // Today's, tomorrow's or the day after's rotation: one of them is after t
    // (consecutive rotations are at most about 25 hours apart).
    for (int day = 0; day < 3; ++day) {
      struct tm want {};
      want.tm_year = today.tm_year;
      want.tm_mon = today.tm_mon;
      want.tm_mday = today.tm_mday + day;  // timegm normalises the overflow
      want.tm_hour = hour_;
      want.tm_min = minute_;
      want.tm_sec = 0;
      const std::int64_t wall = static_cast<std::int64_t>(timegm(&want));
      const TimePoint at = FromSeconds(ResolveWallTime(wall));
      if (at > t) return at;
    }
    throw std::runtime_error("no daily rotation found within three days");
  }

  std::int64_t EpochIndex(TimePoint t) const override {
    const std::int64_t now = FloorSeconds(t);
    const time_t tt = static_cast<time_t>(now);
    struct tm today {};
    if (localtime_r(&tt, &today) == nullptr) throw std::runtime_error("localtime_r failed");
    struct tm midnight {};
    midnight.tm_year = today.tm_year;
    midnight.tm_mon = today.tm_mon;
    midnight.tm_mday = today.tm_mday;
    const std::int64_t day = static_cast<std::int64_t>(timegm(&midnight)) / 86400;
    struct tm want = midnight;
    want.tm_hour = hour_;
    want.tm_min = minute_;
    const std::int64_t rotation = ResolveWallTime(static_cast<std::int64_t>(timegm(&want)));
    return now >= rotation ? day : day - 1;  // before today's rotation: yesterday's epoch
  }

  std::chrono::seconds MaxKeyAge() const override { return std::chrono::hours(24); }
  std::string Describe() const override {
    char buf[48];
    std::snprintf(buf, sizeof buf, "daily at %02d:%02d local time", hour_, minute_);
    return buf;
  }

 private:
  int hour_;
  int minute_;
};

class PeriodicSchedule final : public RotationSchedule {
 public:
  explicit PeriodicSchedule(seconds period) : period_(period.count()) {}

  TimePoint NextAfter(TimePoint t) const override {
    const std::int64_t s = FloorSeconds(t);
    std::int64_t q = s / period_;
    if (s % period_ < 0) --q;  // floor division before 1970
    return FromSeconds((q + 1) * period_);
  }

  std::int64_t EpochIndex(TimePoint t) const override {
    const std::int64_t s = FloorSeconds(t);
    std::int64_t q = s / period_;
    if (s % period_ < 0) --q;
    return q;
  }

  std::chrono::seconds MaxKeyAge() const override { return std::chrono::seconds(period_); }
  std::string Describe() const override { return "every " + std::to_string(period_) + " s"; }

 private:
  std::int64_t period_;
};

}  // namespace

std::unique_ptr<RotationSchedule> MakeDailySchedule(int hour, int minute) {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    throw std::invalid_argument("daily rotation time must be within 00:00..23:59");
  }
  tzset();  // make sure localtime_r sees the current TZ
  return std::make_unique<DailySchedule>(hour, minute);
}

std::unique_ptr<RotationSchedule> MakePeriodicSchedule(std::chrono::seconds period) {
  if (period.count() <= 0) throw std::invalid_argument("rotation period must be positive");
  return std::make_unique<PeriodicSchedule>(period);
}

std::string TimeOfDay::ToString() const {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", hour, minute);
  return text;
}

Result<TimeOfDay> ParseTimeOfDay(std::string_view s) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.size() != 5 || s[2] != ':' || !digit(s[0]) || !digit(s[1]) || !digit(s[3]) ||
      !digit(s[4])) {
    return Fail("must be a local time of day \"HH:MM\" from 00:00 to 23:59 (got \"" +
                std::string(s) + "\")");
  }
  const TimeOfDay t{(s[0] - '0') * 10 + (s[1] - '0'), (s[3] - '0') * 10 + (s[4] - '0')};
  if (t.hour > 23 || t.minute > 59) {
    return Fail("must be a local time of day \"HH:MM\" from 00:00 to 23:59 (got \"" +
                std::string(s) + "\")");
  }
  return t;
}

std::unique_ptr<RotationSchedule> MakeSchedule(const RotationPlan& plan) {
  if (plan.every.count() > 0) return MakePeriodicSchedule(plan.every);
  return MakeDailySchedule(plan.daily_at.hour, plan.daily_at.minute);
}

}  // namespace footfall::hashing
