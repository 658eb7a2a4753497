// Purpose: recognition of fixed devices (tills, printers, PCs, screens, a
// neighbour's TV) within one key epoch, from what they look like rather than
// from hours of presence: a device with a stable (global) address whose probe
// bursts keep a steady cadence, every burst a whole number of one period
// after the last (an operating system's scan timer: the ESP32 lab's PCs scan
// every 60.0 s ± 0.4 s, phones at irregular times). Such a device is counted
// as stationary, never as a visitor, passer-by or occupant. Nothing outlives
// the key epoch: Clear() at every epoch start. Time is the caller's (the
// events' microseconds), so tests need no clock.
#pragma once

#include <cstddef>
#include <cstdint>

#include "analytics/flat_map.h"

namespace footfall::analytics {

struct FixedDeviceOptions {
  // Bursts closer than this to the burst's first probe are the same burst.
  std::int64_t burst_span_us = 3'000'000;
  // The cadence looked for: a period in this range (a phone scanning every
  // few seconds while in use is not a timer-driven fixed device) ...
  double min_period_s = 20;
  double max_period_s = 600;
  // ... each interval within this of a whole number (1 .. max_multiple) of
  // periods (missed bursts: the sensor hears one channel at a time) ...
  double tolerance_s = 1.0;
  int max_multiple = 8;
  // ... this many times more than it missed (a miss costs miss_cost).
  int evidence = 3;
  int miss_cost = 2;
  // A device not yet recognised and unheard for this long is forgotten.
  std::int64_t forget_after_us = 1800'000'000;
};

class FixedDevices final {
 public:
  explicit FixedDevices(FixedDeviceOptions options = {});

  // A probe of the device `identity` (stable within the epoch) at `t_us`;
  // events in time order.
  void OnProbe(std::uint64_t identity, std::int64_t t_us);
  // Whether `identity` has been recognised as fixed in this epoch (it stays so
  // until Clear()).
  bool IsFixed(std::uint64_t identity) const;
  // Forgets the candidates unheard for forget_after_us before `now_us` (the
  // recognised ones stay, for the epoch).
  void Expire(std::int64_t now_us);
  // A new key epoch: everything is dropped.
  void Clear();

  std::size_t tracked() const { return table_.size(); }
  std::size_t recognised() const { return recognised_; }

 private:
  struct Entry {
    std::int64_t burst_us = 0;  // first probe of the last burst
    float period_s = 0;         // 0: no period seen yet
    std::int16_t score = 0;
    bool seen = false;
    bool fixed = false;
  };
  void OnInterval(Entry& e, double interval_s);

  FixedDeviceOptions options_;
  FlatMap<Entry> table_;
  std::size_t recognised_ = 0;
  std::size_t compacted_ = 0;  // table size after the last Expire that compacted
};

}  // namespace footfall::analytics
