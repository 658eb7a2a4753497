// Purpose: the system and boot clocks and the clock-jump detector (see clock.h).
#include "capture/clock.h"

#include <time.h>

namespace footfall::capture {
namespace {

class RealClock final : public Clock {
 public:
  WallTime Wall() const override { return std::chrono::system_clock::now(); }
  MonotonicTime Monotonic() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

BootTime BootClockNow() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

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

std::optional<std::chrono::nanoseconds> ClockJumpDetector::Observe(WallTime wall, BootTime boot) {
  std::optional<std::chrono::nanoseconds> step;
  if (last_wall_ && last_boot_) {
    const auto wall_moved =
        std::chrono::duration_cast<std::chrono::nanoseconds>(wall - *last_wall_);
    const auto d = wall_moved - (boot - *last_boot_);
    const auto limit = std::chrono::duration_cast<std::chrono::nanoseconds>(thresholds_.live);
    if (d > limit || d < -limit) step = d;
  }
  last_wall_ = wall;
  last_boot_ = boot;
  return step;
}

}  // namespace footfall::capture
