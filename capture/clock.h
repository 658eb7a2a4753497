// Purpose: the injected clock. Time-dependent code asks a Clock for the wall
// time (system_clock: what windows, timestamps and key schedules are labelled
// with) and the monotonic time (steady_clock: what backoff, timeouts and
// intervals are measured with), so tests drive both without sleeping. And the
// one place where a jump of the wall clock is recognised: ClockJumpDetector
// compares the wall clock's progress with the monotonic clock's (a live
// sensor), or, when there is no monotonic reference (a replayed capture),
// looks at the steps between consecutive event times. The windows
// (daemon/app.cc) use it; the key rotation uses the same detector.
#pragma once

#include <chrono>
#include <optional>

namespace footfall::capture {

using WallTime = std::chrono::system_clock::time_point;
using MonotonicTime = std::chrono::steady_clock::time_point;

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

  // One observation of the wall time `wall`, with the monotonic time of the
  // same instant if there is one. The first observation is never a jump.
  std::optional<ClockJump> Observe(WallTime wall, std::optional<MonotonicTime> monotonic);
  // Forgets the previous observation.
  void Reset() { last_wall_.reset(); }
  const ClockJumpThresholds& thresholds() const { return thresholds_; }

 private:
  ClockJumpThresholds thresholds_;
  std::optional<WallTime> last_wall_;
  std::optional<MonotonicTime> last_monotonic_;
};

}  // namespace footfall::capture
