// Purpose: the "frames/min" of footfalld's status line and metrics. Fed the
// running total of a counter with the time it was read (the caller's clock,
// so tests drive time), it reports the rate over the last minute, or over
// the time seen so far while less than a minute has passed.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <utility>

namespace footfall::daemon {

class RateMeter final {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateMeter(Clock::duration span = std::chrono::minutes(1)) : span_(span) {}

  // Records that the counter stood at `total` at `now` (non-decreasing times).
  void Sample(Clock::time_point now, std::uint64_t total);

  // Increase per minute over the last `span` (0 until two samples exist).
  double PerMinute() const;

 private:
  Clock::duration span_;
  std::deque<std::pair<Clock::time_point, std::uint64_t>> samples_;
};

}  // namespace footfall::daemon
