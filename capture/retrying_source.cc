// Purpose: the re-attaching live source (see retrying_source.h). States:
// attached (inner_ set, frames flow) or down (inner_ empty, a retry timer
// pending). A failure of the attached source arrives from inside that
// source's own callback, so the failed source is parked in retired_ and freed
// from the next timer callback, never under its own feet.
#include "capture/retrying_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace footfall::capture {
namespace {

double Seconds(std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); }

std::chrono::milliseconds Since(SteadyTime then, SteadyTime now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - then);
}

// How much a counter grew (0 if a driver reset it).
std::uint64_t Increase(std::uint64_t before, std::uint64_t after) {
  return after > before ? after - before : 0;
}

}  // namespace

SourceStats& SourceStats::operator+=(const SourceStats& o) {
  records += o.records;
  received += o.received;
  kernel_dropped += o.kernel_dropped;
  iface_dropped += o.iface_dropped;
  outages += o.outages;
  outage_time += o.outage_time;
  sources_down += o.sources_down;
  return *this;
}

// What the attached source delivers: frames go on to the real sink, a
// failure (or an end, which a live capture never has) detaches it.
class RetryingSource::InnerSink final : public FrameSink {
 public:
  explicit InnerSink(RetryingSource& owner) : owner_(owner) {}
  void OnFrame(RawFrame& frame) override { owner_.sink_->OnFrame(frame); }
  void OnIdle(TimePoint now) override { owner_.sink_->OnIdle(now); }
  void OnEnd() override { owner_.Lost(owner_.name_ + ": capture ended"); }
  void OnSourceError(const std::string& message) override { owner_.Lost(message); }

 private:
  RetryingSource& owner_;
};

RetryingSource::RetryingSource(std::string name, SourceOpener open,
                               std::unique_ptr<TimeSource> time, RetryPolicy policy)
    : name_(std::move(name)),
      open_(std::move(open)),
      time_(std::move(time)),
      policy_(policy),
      inner_sink_(std::make_unique<InnerSink>(*this)),
      retry_timer_(time_->MakeTimer()),
      stats_timer_(time_->MakeTimer()),
      next_delay_(policy.initial) {
  try {
    inner_ = open_();
  } catch (const SourceError& e) {
    if (!e.retryable()) throw;
    last_error_ = e.what();
    BeginOutage();
    spdlog::warn(
        "{}; footfalld keeps running and starts capturing when the interface is "
        "there (retrying after {:.0f} s, backing off to {:.0f} s)",
        last_error_, Seconds(policy_.initial), Seconds(policy_.max));
  }
}

RetryingSource::~RetryingSource() { Stop(); }

void RetryingSource::Start(FrameSink& sink) {
  sink_ = &sink;
  started_ = true;
  if (inner_) {
    inner_->Start(*inner_sink_);
  } else {
    ScheduleRetry();
  }
  stats_timer_->Start(policy_.stats_interval, [this] { PollStats(); });
}

void RetryingSource::Stop() {
  if (stopped_) return;
  stopped_ = true;
  retry_timer_->Cancel();
  stats_timer_->Cancel();
  if (inner_) inner_->Stop();
}

void RetryingSource::BeginOutage() {
  ++outages_;
  down_since_ = time_->Now();
  next_delay_ = policy_.initial;
}

void RetryingSource::Lost(const std::string& why) {
  if (stopped_ || !inner_) return;
  retired_stats_ += inner_->stats();
  inner_->Stop();
  retired_ = std::move(inner_);
  BeginOutage();
  last_error_ = why;
  spdlog::warn("{}; capture stopped, retrying after {:.0f} s (backing off to {:.0f} s)", why,
               Seconds(policy_.initial), Seconds(policy_.max));
  ScheduleRetry();
}

void RetryingSource::ScheduleRetry() {
  retry_at_ = time_->Now() + next_delay_;
  retry_timer_->Start(next_delay_, [this] { Retry(); });
}

void RetryingSource::Retry() {
  if (stopped_) return;
  retired_.reset();
  try {
    Attach(open_());
  } catch (const SourceError& e) {
    next_delay_ = std::min(next_delay_ * 2, policy_.max);
    const std::string what = e.what();
    if (what != last_error_) {
      // Something new (e.g. it is back, but not in monitor mode): say it once.
      last_error_ = what;
      const auto level = e.retryable() ? spdlog::level::warn : spdlog::level::err;
      spdlog::log(level, "{}; still retrying (next attempt in {:.0f} s)", what,
                  Seconds(next_delay_));
    } else {
      spdlog::debug("{}: still unavailable; next attempt in {:.0f} s", name_, Seconds(next_delay_));
    }
    ScheduleRetry();
  }
}

void RetryingSource::Attach(std::unique_ptr<Source> inner) {
  inner_ = std::move(inner);
  const SteadyTime now = time_->Now();
  const auto outage = down_since_ ? Since(*down_since_, now) : std::chrono::milliseconds(0);
  outage_time_ += outage;
  down_since_.reset();
  last_error_.clear();
  next_delay_ = policy_.initial;
  spdlog::info("{}: capturing again after {:.0f} s without capture (outage {}; {:.0f} s in all)",
               name_, Seconds(outage), outages_, Seconds(outage_time_));
  if (started_) inner_->Start(*inner_sink_);
}

void RetryingSource::PollStats() {
  if (stopped_) return;
  const SourceStats now = stats();
  const std::uint64_t kernel = Increase(last_poll_.kernel_dropped, now.kernel_dropped);
  const std::uint64_t iface = Increase(last_poll_.iface_dropped, now.iface_dropped);
  if (kernel > 0 || iface > 0) {
    spdlog::warn(
        "{}: {} frames dropped by the kernel and {} by the interface in the last "
        "{:.0f} s ({} received; {} and {} in all); if this persists, raise [capture] "
        "buffer_size_kib",
        name_, kernel, iface, Seconds(policy_.stats_interval),
        Increase(last_poll_.received, now.received), now.kernel_dropped, now.iface_dropped);
  }
  last_poll_ = now;
  stats_timer_->Start(policy_.stats_interval, [this] { PollStats(); });
}

SourceStats RetryingSource::stats() const {
  SourceStats s = retired_stats_;
  if (inner_) s += inner_->stats();
  s.outages = outages_;
  s.outage_time = outage_time_;
  if (down_since_) s.outage_time += Since(*down_since_, time_->Now());
  s.sources_down = down_since_ ? 1 : 0;
  return s;
}

std::string RetryingSource::status() const {
  if (!down_since_) return name_ + " capturing";
  const SteadyTime now = time_->Now();
  const auto down = std::chrono::duration_cast<std::chrono::seconds>(now - *down_since_);
  const auto retry = std::max(std::chrono::seconds(0),
                              std::chrono::duration_cast<std::chrono::seconds>(retry_at_ - now));
  return name_ + " DOWN for " + std::to_string(down.count()) + " s (outage " +
         std::to_string(outages_) + "), retry in " + std::to_string(retry.count()) + " s";
}

}  // namespace footfall::capture
