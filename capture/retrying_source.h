// Purpose: a live source that outlives its interface. It wraps whatever opens
// the real capture (a pcap handle on a monitor interface): when the interface
// is missing at start, goes down or disappears (a USB dongle unplugged), it
// warns once, reports the outage in status() and stats(), retries with a
// capped exponential backoff and resumes when the interface is back. It also
// reads the capture statistics periodically and warns when frames are
// dropped. All timing comes from an injected TimeSource.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "capture/source.h"
#include "capture/time_source.h"

namespace footfall::capture {

// Opens the underlying source; throws SourceError.
using SourceOpener = std::function<std::unique_ptr<Source>()>;

struct RetryPolicy {
  std::chrono::milliseconds initial{1000};  // first retry after a loss
  std::chrono::milliseconds max{60000};     // the doubling stops here
  std::chrono::milliseconds stats_interval{10000};
};

class RetryingSource final : public Source {
 public:
  // Tries `open` once, now. A retryable SourceError (interface missing or
  // down) leaves the source detached, warned about, retried from Start() on.
  // Any other SourceError (wrong link type, no permission) is thrown: at
  // start-up it is a configuration error. Later, every error is retried.
  RetryingSource(std::string name, SourceOpener open, std::unique_ptr<TimeSource> time,
                 RetryPolicy policy);
  ~RetryingSource() override;
  RetryingSource(const RetryingSource&) = delete;
  RetryingSource& operator=(const RetryingSource&) = delete;

  void Start(FrameSink& sink) override;
  void Stop() override;
  bool finite() const override { return false; }
  const std::string& name() const override { return name_; }
  SourceStats stats() const override;
  std::string status() const override;

  bool attached() const { return inner_ != nullptr; }

 private:
  class InnerSink;

  void Attach(std::unique_ptr<Source> inner);
  void Lost(const std::string& why);  // the attached source failed
  void BeginOutage();
  void Retry();
  void ScheduleRetry();
  void PollStats();

  std::string name_;
  SourceOpener open_;
  std::unique_ptr<TimeSource> time_;
  RetryPolicy policy_;
  std::unique_ptr<InnerSink> inner_sink_;
  std::unique_ptr<Source> inner_;
  std::unique_ptr<Source> retired_;  // failed in its own callback; freed later
  std::unique_ptr<Timer> retry_timer_;
  std::unique_ptr<Timer> stats_timer_;
  FrameSink* sink_ = nullptr;
  bool started_ = false;
  bool stopped_ = false;

  // Outages: the current one (if down) and the finished ones.
  std::optional<SteadyTime> down_since_;
  std::uint64_t outages_ = 0;
  std::chrono::milliseconds outage_time_{0};
  std::chrono::milliseconds next_delay_;
  SteadyTime retry_at_{};
  std::string last_error_;  // logged already; repeated failures go to debug

  SourceStats retired_stats_;  // of the handles that are gone
  SourceStats last_poll_;      // for the drop warnings
};

}  // namespace footfall::capture
