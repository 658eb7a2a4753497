// Purpose: the two clocks a sensor runs by, and the steps of one against the
// other. The wall clock (system_clock) dates windows and schedules key
// rotations, but an operator, NTP (spoofed or not) or a board without a
// real-time clock can step it. The boot clock (CLOCK_BOOTTIME: monotonic,
// counting suspend too) cannot be set. ClockJumpDetector compares how far
// each advanced between two observations: the one place footfall tells a
// wall-clock step from the passing of time (key lifetime, windows).
#pragma once

#include <chrono>
#include <optional>

namespace footfall::capture {

using WallTime = std::chrono::system_clock::time_point;
// Time since boot on CLOCK_BOOTTIME.
using BootTime = std::chrono::nanoseconds;

// CLOCK_BOOTTIME now.
BootTime BootClockNow();

class ClockJumpDetector final {
 public:
  // Steps of at most `threshold` either way are ignored (NTP slews, event
  // timestamps taken a little before or after the observation).
  explicit ClockJumpDetector(std::chrono::seconds threshold = std::chrono::minutes(1));

  // The wall clock read `wall` at boot-clock time `boot`. Returns the wall
  // clock's step since the previous observation — how much further (> 0) or
  // less far (< 0) it moved than the boot clock — when that is more than the
  // threshold; nullopt otherwise, and at the first observation.
  std::optional<std::chrono::nanoseconds> Observe(WallTime wall, BootTime boot);

  std::chrono::seconds threshold() const { return threshold_; }

 private:
  std::chrono::seconds threshold_;
  bool seen_ = false;
  WallTime last_wall_{};
  BootTime last_boot_{};
};

}  // namespace footfall::capture
