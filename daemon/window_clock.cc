// Purpose: jumps of the windows' clock (see window_clock.h).
#include "daemon/window_clock.h"

#include <algorithm>

#include "analytics/window_counter.h"

namespace footfall::daemon {

capture::ClockJumpThresholds WindowClock::Thresholds(std::chrono::seconds window) {
  capture::ClockJumpThresholds t;
  const auto few =
      std::max<std::chrono::system_clock::duration>(3 * window, std::chrono::seconds(10));
  t.live = few;
  t.backward_step = few;
  t.forward_gap = std::max<std::chrono::system_clock::duration>(few, std::chrono::hours(24));
  return t;
}

WindowClock::WindowClock(std::chrono::seconds window, bool live, const capture::Clock& clock)
    : window_(window), live_(live), clock_(clock), detector_(Thresholds(window)) {}

WindowClock::Verdict WindowClock::Observe(TimePoint t) {
  std::optional<capture::MonotonicTime> monotonic;
  if (live_) monotonic = clock_.Monotonic();
  if (auto jump = detector_.Observe(t, monotonic)) {
    jump_ = *jump;
    ++jumps_;
    if (jump->by > std::chrono::system_clock::duration::zero()) {
      holding_ = false;
      resume_ = analytics::WindowStart(t, window_);
    } else {
      // The window in progress at the old time is closed there; the next one
      // starts where it would have ended.
      resume_ = analytics::WindowStart(jump->from, window_) + window_;
      holding_ = t < resume_;
      if (holding_) ++held_back_;
    }
    return Verdict::kJumped;
  }
  if (holding_) {
    if (t < resume_) {
      ++held_back_;
      return Verdict::kHoldBack;
    }
    holding_ = false;
  }
  return Verdict::kCount;
}

}  // namespace footfall::daemon
