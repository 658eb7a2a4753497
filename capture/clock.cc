// Purpose: CLOCK_BOOTTIME and the wall-clock step detector (see clock.h).
#include "capture/clock.h"

#include <time.h>

namespace footfall::capture {

BootTime BootClockNow() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

ClockJumpDetector::ClockJumpDetector(std::chrono::seconds threshold) : threshold_(threshold) {}

std::optional<std::chrono::nanoseconds> ClockJumpDetector::Observe(WallTime wall, BootTime boot) {
  std::optional<std::chrono::nanoseconds> step;
  if (seen_) {
    const auto wall_moved = std::chrono::duration_cast<std::chrono::nanoseconds>(wall - last_wall_);
    const auto boot_moved = boot - last_boot_;
    const auto d = wall_moved - boot_moved;
    if (d > threshold_ || d < -threshold_) step = d;
  }
  seen_ = true;
  last_wall_ = wall;
  last_boot_ = boot;
  return step;
}

}  // namespace footfall::capture
