// Purpose: RateMeter (see rate_meter.h).
#include "daemon/rate_meter.h"

namespace footfall::daemon {

void RateMeter::Sample(Clock::time_point now, std::uint64_t total) {
  samples_.emplace_back(now, total);
  // Keep the newest sample that is at least `span_` old as the baseline.
  while (samples_.size() > 2 && now - samples_[1].first >= span_) samples_.pop_front();
}

double RateMeter::PerMinute() const {
  if (samples_.size() < 2) return 0;
  const auto& [t0, n0] = samples_.front();
  const auto& [t1, n1] = samples_.back();
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  if (seconds <= 0 || n1 < n0) return 0;
  return static_cast<double>(n1 - n0) * 60.0 / seconds;
}

}  // namespace footfall::daemon
