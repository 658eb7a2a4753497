// Purpose: time as the live capture sees it — a steady clock and one-shot
// timers on the event loop — behind a small interface, so that the retry
// backoff and the periodic statistics of live sources are tested with a
// simulated clock instead of sleeping.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace footfall::capture {

using SteadyTime = std::chrono::steady_clock::time_point;

class Timer {
 public:
  virtual ~Timer() = default;
  // Calls `fn` once, `delay` from now, on the event loop; replaces any call
  // still pending.
  virtual void Start(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  // Cancels the pending call, if any: `fn` is not called after this returns.
  virtual void Cancel() = 0;
};

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual SteadyTime Now() const = 0;
  virtual std::unique_ptr<Timer> MakeTimer() = 0;
};

// The real thing: std::chrono::steady_clock and Asio steady_timers on `io`.
std::unique_ptr<TimeSource> MakeAsioTimeSource(boost::asio::io_context& io);

}  // namespace footfall::capture
