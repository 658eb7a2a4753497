// Purpose: the clocks a sensor runs by, and the one place where a step of the
// wall clock is told from the passing of time. The wall clock (system_clock)
// dates windows and schedules key rotations, but an operator, NTP (spoofed or
// not) or a board without a real-time clock can step it. Time-dependent code
// asks an injected Clock for the wall time and the monotonic time
// (steady_clock: backoff, timeouts, intervals), so tests drive both without
// sleeping; the boot clock (CLOCK_BOOTTIME: monotonic, counting suspend too,
// cannot be set) measures the key's age. ClockJumpDetector compares the wall
// clock's progress with a monotonic reference (a live sensor: the windows
// against steady_clock, the key lifetime against the boot clock) or, when
// there is none (a replayed capture), looks at the steps between consecutive
// event times.
#pragma once

#include <chrono>
#include <optional>

namespace footfall::capture {

using WallTime = std::chrono::system_clock::time_point;
using MonotonicTime = std::chrono::steady_clock::time_point;
// Time since boot on CLOCK_BOOTTIME.
using BootTime = std::chrono::nanoseconds;

// CLOCK_BOOTTIME now.
BootTime BootClockNow();

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Wall() const = 0;
  virtual MonotonicTime Monotonic() const = 0;
};

// std::chrono::system_clock and std::chrono::steady_clock.
const Clock& SystemClock();

// A jump of the wall clock: it went from `from` to `to`, `by` = the part of
// (to - from) that the monotonic clock (or, for event times, a plausible gap)
// does not account for. Positive: forward.
struct ClockJump {
  WallTime from;
  WallTime to;
  std::chrono::system_clock::duration by;
};

struct ClockJumpThresholds {
  // With a monotonic reference, both ways: the wall clock drifting from the
  // monotonic one by more than this between two observations is a jump.
  std::chrono::system_clock::duration live = std::chrono::seconds(10);
  // Event times only (a replay): a gap longer than this between two events is
  // a jump (a quiet night in a capture is not)...
  std::chrono::system_clock::duration forward_gap = std::chrono::hours(24);
  // ... and so is a step back of more than this (smaller steps back are the
  // skew between radios).
  std::chrono::system_clock::duration backward_step = std::chrono::seconds(10);
};

class ClockJumpDetector final {
 public:
  explicit ClockJumpDetector(ClockJumpThresholds thresholds = {}) : thresholds_(thresholds) {}
  // Steps of at most `live` either way against a monotonic reference are
  // ignored (NTP slews, event timestamps taken a little before or after).
  explicit ClockJumpDetector(std::chrono::seconds live) : thresholds_{live} {}

  // One observation of the wall time `wall`, with the monotonic time of the
  // same instant if there is one. The first observation is never a jump.
  std::optional<ClockJump> Observe(WallTime wall, std::optional<MonotonicTime> monotonic);
  // The same against the boot clock: the wall clock's step since the previous
  // observation — how much further (> 0) or less far (< 0) it moved than the
  // boot clock — when that is more than the live threshold.
  std::optional<std::chrono::nanoseconds> Observe(WallTime wall, BootTime boot);
  // Forgets the previous observation.
  void Reset() {
    last_wall_.reset();
    last_monotonic_.reset();
    last_boot_.reset();
  }
  const ClockJumpThresholds& thresholds() const { return thresholds_; }

 private:
  ClockJumpThresholds thresholds_;
  std::optional<WallTime> last_wall_;
  std::optional<MonotonicTime> last_monotonic_;
  std::optional<BootTime> last_boot_;
};

}  // namespace footfall::capture
