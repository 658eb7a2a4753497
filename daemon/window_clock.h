// Purpose: windows that follow a clock that can jump. Every event time (a
// frame's timestamp, the wall clock at a tick) goes through WindowClock
// before it reaches the window counter. A jump (capture::ClockJumpDetector:
// the wall clock against the monotonic one for a live sensor, the step
// between capture timestamps for a replay) of more than a few windows is
// reported once: the caller closes the window in progress as partial at the
// old time, publishes one message that says the clock jumped and by how much
// instead of the windows in between, and counts again from the new time. After
// a backward jump, events before the end of the window just closed are held
// back (counted, never hashed), so no window has a negative length and no
// window start is published twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "capture/clock.h"

namespace footfall::daemon {

using TimePoint = std::chrono::system_clock::time_point;

class WindowClock final {
 public:
  // `live`: event times are the wall clock, checked against `clock`'s
  // monotonic time; else they are a replay's capture times.
  WindowClock(std::chrono::seconds window, bool live, const capture::Clock& clock);

  enum class Verdict {
    kCount,     // count the event as usual
    kHoldBack,  // before the resume time of a backward jump: skip it
    kJumped,    // the clock jumped: see jump(); then count the event
  };
  Verdict Observe(TimePoint t);

  // The last jump (valid after kJumped).
  const capture::ClockJump& jump() const { return jump_; }
  // Where windows start again after the last jump: the window of the new time
  // (forward), or the end of the window closed at the old time (backward).
  TimePoint resume() const { return resume_; }
  std::uint64_t jumps() const { return jumps_; }
  std::uint64_t held_back() const { return held_back_; }

  // The thresholds for a window length: a few windows, and never less than
  // 10 s; a replay's forward gaps only from a day on (a quiet night in a
  // capture is not a jump).
  static capture::ClockJumpThresholds Thresholds(std::chrono::seconds window);

 private:
  const std::chrono::seconds window_;
  const bool live_;
  const capture::Clock& clock_;
  capture::ClockJumpDetector detector_;
  capture::ClockJump jump_{};
  TimePoint resume_{};
  bool holding_ = false;
  std::uint64_t jumps_ = 0;
  std::uint64_t held_back_ = 0;
};

}  // namespace footfall::daemon
