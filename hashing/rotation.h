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

}  // namespace footfall::hashing
