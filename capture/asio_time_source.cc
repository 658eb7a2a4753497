// Purpose: the production TimeSource (see time_source.h): steady_clock and
// Asio steady_timers whose handlers run on the io_context's thread.
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <utility>

#include "capture/time_source.h"

namespace footfall::capture {
namespace {

class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(boost::asio::io_context& io) : timer_(io) {}
  ~AsioTimer() override {
    *alive_ = false;
    Cancel();
  }
  AsioTimer(const AsioTimer&) = delete;
  AsioTimer& operator=(const AsioTimer&) = delete;

  void Start(std::chrono::milliseconds delay, std::function<void()> fn) override {
    Cancel();
    // A generation number tells a cancelled wait from the current one, even
    // if the cancelled handler was already queued when Cancel() ran.
    const std::uint64_t generation = ++generation_;
    timer_.expires_after(delay);
    timer_.async_wait([this, alive = alive_, generation,
                       fn = std::move(fn)](const boost::system::error_code& ec) {
      if (ec || !*alive || generation != generation_) return;
      fn();
    });
  }

  void Cancel() override {
    ++generation_;
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  std::uint64_t generation_ = 0;
  // Handlers still queued after this timer is gone must not touch it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class AsioTimeSource final : public TimeSource {
 public:
  explicit AsioTimeSource(boost::asio::io_context& io) : io_(io) {}
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  std::unique_ptr<Timer> MakeTimer() override { return std::make_unique<AsioTimer>(io_); }

 private:
  boost::asio::io_context& io_;
};

}  // namespace

std::unique_ptr<TimeSource> MakeAsioTimeSource(boost::asio::io_context& io) {
  return std::make_unique<AsioTimeSource>(io);
}

}  // namespace footfall::capture
