// Purpose: per-window aggregates of the pseudonymized frame stream (see
// window_counter.h). Windows are closed only by the times the caller passes
// in: a later event or AdvanceTo() closes every window that has ended
// (emitting empty ones too), Flush() closes the window in progress as partial.
// The device set and the signal histogram are reused between windows, so the
// per-frame path does not allocate once the set has grown to its working size.
#include "analytics/window_counter.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace footfall::analytics {
namespace {

constexpr int kRssiLowest = -128;
constexpr int kRssiHighest = 127;

}  // namespace

TimePoint WindowStart(TimePoint t, std::chrono::seconds length) {
  const std::int64_t s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  const std::int64_t len = length.count();
  std::int64_t q = s / len;
  if (s % len < 0) --q;  // floor division before 1970
  return TimePoint(std::chrono::seconds(q * len));
}

WindowCounter::WindowCounter(std::chrono::seconds length, Emit emit, PeopleOptions people)
    : length_(length), emit_(std::move(emit)), people_(people) {
  if (length_ < std::chrono::seconds(1) || length_ > std::chrono::seconds(86400)) {
    throw std::invalid_argument("window length must be from 1 s to 86400 s");
  }
  if (!emit_) throw std::invalid_argument("WindowCounter needs an emit callback");
}

std::optional<TimePoint> WindowCounter::current_start() const {
  if (!started_) return std::nullopt;
  return start_;
}

void WindowCounter::Begin(TimePoint t) {
  if (!started_) {
    started_ = true;
    Reset(WindowStart(t, length_));
  } else if (t >= start_ + length_) {
    AdvanceTo(t);  // closes every window before the one containing t
  }
  // t < start_: a late event, counted in the current window.
}

void WindowCounter::Reset(TimePoint start) {
  start_ = start;
  acc_ = WindowReport{};
  acc_.start = start;
  rssi_hist_.fill(0);
  rssi_count_ = 0;
}

void WindowCounter::EmitCurrent(TimePoint end, bool partial) {
  acc_.end = end;
  acc_.partial = partial;
  acc_.devices = acc_.global_mac + acc_.randomized_mac;
  if (rssi_count_ > 0) {
    int lowest = kRssiLowest;
    while (rssi_hist_[static_cast<std::size_t>(lowest - kRssiLowest)] == 0) ++lowest;
    int highest = kRssiHighest;
    while (rssi_hist_[static_cast<std::size_t>(highest - kRssiLowest)] == 0) --highest;
    // The values at 0-based ranks (n-1)/2 and n/2 (the same one for odd n).
    const std::uint64_t rank_lo = (rssi_count_ - 1) / 2;
    const std::uint64_t rank_hi = rssi_count_ / 2;
    std::optional<int> lo_value;
    std::optional<int> hi_value;
    std::uint64_t below = 0;  // values in bins before the current one
    for (int v = lowest; v <= highest && !hi_value; ++v) {
      below += rssi_hist_[static_cast<std::size_t>(v - kRssiLowest)];
      if (!lo_value && rank_lo < below) lo_value = v;
      if (!hi_value && rank_hi < below) hi_value = v;
    }
    acc_.rssi_min = lowest;
    acc_.rssi_max = highest;
    acc_.rssi_median = (static_cast<double>(*lo_value) + static_cast<double>(*hi_value)) / 2.0;
  } else {
    acc_.rssi_min.reset();
    acc_.rssi_median.reset();
    acc_.rssi_max.reset();
  }
  people_.CloseWindow(end, acc_.people);
  emit_(acc_);
}

void WindowCounter::OnProbe(TimePoint t, const hashing::Pseudonym& who,
                            std::optional<int> signal_dbm, const ProbeTraits& traits) {
  Begin(t);
  ++acc_.probe_requests;
  // The estimator's pseudonym table also tells whether this pseudonym is new
  // in the window. Under a carried-over key the same device may already be
  // in the window under its previous pseudonym: not counted again.
  const PeopleEstimator::Sighting s = people_.OnProbe(t, who, traits, signal_dbm);
  if (s.new_in_window && !s.carried_in_window) {
    if (who.randomized) {
      ++acc_.randomized_mac;
    } else {
      ++acc_.global_mac;
    }
  }
  if (signal_dbm) {
    const int dbm = std::clamp(*signal_dbm, kRssiLowest, kRssiHighest);
    ++rssi_hist_[static_cast<std::size_t>(dbm - kRssiLowest)];
    ++rssi_count_;
  }
}

void WindowCounter::OnMalformed(TimePoint t) {
  Begin(t);
  ++acc_.malformed;
}

void WindowCounter::OnBadFcs(TimePoint t) {
  Begin(t);
  ++acc_.bad_fcs;
}

void WindowCounter::OnBelowRssiFloor(TimePoint t) {
  Begin(t);
  ++acc_.below_rssi_floor;
}

void WindowCounter::AdvanceTo(TimePoint now) {
  if (!started_) return;
  while (start_ + length_ <= now) {
    const TimePoint end = start_ + length_;
    EmitCurrent(end, /*partial=*/false);
    Reset(end);
  }
}

void WindowCounter::Flush(TimePoint now) {
  if (!started_) return;
  AdvanceTo(now);
  // A window that has just opened at `now` and holds nothing covers no time:
  // the complete window before it was the last one.
  const bool has_events = acc_.probe_requests > 0 || acc_.malformed > 0 || acc_.bad_fcs > 0 ||
                          acc_.below_rssi_floor > 0;
  if (now > start_ || has_events) {
    EmitCurrent(std::max(now, start_), /*partial=*/true);
  }
  started_ = false;
  Reset(TimePoint{});
}

}  // namespace footfall::analytics
