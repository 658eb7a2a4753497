// Purpose: when the pseudonym key rotates. Either every day at a local time of
// day (default 04:00, correct across DST changes: the wall-clock time is kept),
// or every fixed period aligned to the Unix epoch. Each epoch also has an
// absolute index that every sensor with the same schedule (and, for the daily
// one, the same TZ) agrees on, so shared-key mode can derive the same key.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace footfall::hashing {

using TimePoint = std::chrono::system_clock::time_point;

class RotationSchedule {
 public:
  virtual ~RotationSchedule() = default;
  // The first rotation instant strictly after `t`.
  virtual TimePoint NextAfter(TimePoint t) const = 0;
  // The absolute index of the epoch that contains `t`; it grows by one at each
  // rotation instant. Periodic: whole periods since 1970-01-01T00:00:00Z.
  // Daily: days since 1970-01-01 of the local date of the last rotation at or
  // before `t`.
  virtual std::int64_t EpochIndex(TimePoint t) const = 0;
  // The longest a key may live, whatever the wall clock says: the period
  // (daily: 24 h). The Pseudonymizer measures it on the boot clock.
  virtual std::chrono::seconds MaxKeyAge() const = 0;
  // For logs and the info topic, e.g. "daily at 04:00 local" / "every 3600 s".
  virtual std::string Describe() const = 0;
};

// Daily at hour:minute in the process's local time zone (TZ). If that wall time
// does not exist on a day (spring-forward gap), the rotation happens at the
// first instant after the gap; if it occurs twice (fall-back), at the first.
std::unique_ptr<RotationSchedule> MakeDailySchedule(int hour, int minute);

// Every `period` (> 0), at multiples of the period since 1970-01-01T00:00:00Z.
std::unique_ptr<RotationSchedule> MakePeriodicSchedule(std::chrono::seconds period);

// A local time of day, 00:00 .. 23:59.
struct TimeOfDay {
  int hour = 0;
  int minute = 0;
  std::string ToString() const;  // "HH:MM"
  friend bool operator==(const TimeOfDay& a, const TimeOfDay& b) {
    return a.hour == b.hour && a.minute == b.minute;
  }
  friend bool operator!=(const TimeOfDay& a, const TimeOfDay& b) { return !(a == b); }
};

// "HH:MM" from 00:00 to 23:59, exactly five characters.
Result<TimeOfDay> ParseTimeOfDay(std::string_view text);

// The configured rotation, parsed once: daily at `daily_at`, or every
// `every` if that is > 0.
struct RotationPlan {
  TimeOfDay daily_at{4, 0};
  std::chrono::seconds every{0};
  friend bool operator==(const RotationPlan& a, const RotationPlan& b) {
    return a.daily_at == b.daily_at && a.every == b.every;
  }
  friend bool operator!=(const RotationPlan& a, const RotationPlan& b) { return !(a == b); }
};

std::unique_ptr<RotationSchedule> MakeSchedule(const RotationPlan& plan);

}  // namespace footfall::hashing
