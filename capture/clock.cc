// Purpose: the system clock and the clock-jump detector (see clock.h).
#include "capture/clock.h"

namespace footfall::capture {
namespace {

class RealClock final : public Clock {
 public:
  WallTime Wall() const override { return std::chrono::system_clock::now(); }
  MonotonicTime Monotonic() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

const Clock& SystemClock() {
  static const RealClock clock;
  return clock;
}

std::optional<ClockJump> ClockJumpDetector::Observe(WallTime wall,
                                                    std::optional<MonotonicTime> monotonic) {
  using Duration = std::chrono::system_clock::duration;
  std::optional<ClockJump> jump;
  if (last_wall_) {
    const Duration step = wall - *last_wall_;
    if (monotonic && last_monotonic_) {
      // Live: what the wall clock moved beyond (or short of) real time.
      const Duration by =
          step - std::chrono::duration_cast<Duration>(*monotonic - *last_monotonic_);
      if (by > thresholds_.live || by < -thresholds_.live) jump = ClockJump{*last_wall_, wall, by};
    } else if (step > thresholds_.forward_gap || step < -thresholds_.backward_step) {
      jump = ClockJump{*last_wall_, wall, step};
    } else if (step < Duration::zero()) {
      // A late event (skew between radios): the clock stays where it was.
      return std::nullopt;
    }
  }
  last_wall_ = wall;
  last_monotonic_ = monotonic;
  return jump;
}

}  // namespace footfall::capture
