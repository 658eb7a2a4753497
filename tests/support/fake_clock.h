// Purpose: a capture::Clock that tests set and advance by hand (wall and
// monotonic time move together unless a test makes the wall clock jump).
#pragma once

#include <chrono>

#include "capture/clock.h"

namespace footfall::testing {

class FakeClock final : public capture::Clock {
 public:
  explicit FakeClock(capture::WallTime wall = std::chrono::system_clock::now())
      : wall_(wall), monotonic_(std::chrono::steady_clock::time_point{} + std::chrono::hours(1)) {}
  capture::WallTime Wall() const override { return wall_; }
  capture::MonotonicTime Monotonic() const override { return monotonic_; }
  // Real time passes.
  template <typename D>
  void Advance(D d) {
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    monotonic_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  }
  // Only the wall clock moves (set by NTP, by hand).
  template <typename D>
  void JumpWall(D d) {
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }

 private:
  capture::WallTime wall_;
  capture::MonotonicTime monotonic_;
};

}  // namespace footfall::testing
