// Purpose: recognition of fixed devices (tills, printers, PCs, screens, a
// neighbour's TV) within one key epoch, from what they look like rather than
// from hours of presence, for devices with a stable (global) address:
//  - steady cadence: probe bursts a whole number of one period after the
//    last (an operating system's scan timer: the ESP32 lab's PCs scan every
//    60.0 s ± 0.4 s, phones at irregular times), `evidence` times;
//  - steady cadence and steady signal: the same with the bursts' signal
//    within steady_db, after only steady_evidence intervals (a device that
//    does not move; a phone on a desk has the signal but not the timer);
//  - present while the zone is empty: heard, outside the zone, only in
//    windows in which no device (fixed ones aside) was inside, for
//    empty_after_us (a shop after closing time, a neighbour's TV or
//    printer). A device inside is never taken for fixed by this cue: alone
//    in the zone, a till cannot be told from a lone person by presence; its
//    cadence and signal are the cues for it.
// Such a device is counted as stationary, never as a visitor, passer-by or
// occupant. Nothing outlives the key epoch: Clear() at every epoch start.
// Time is the caller's (the events' microseconds), so tests need no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

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
  // Steady signal: the first probes of the bursts of the current cadence
  // within this many dB of each other make steady_evidence intervals enough.
  int steady_db = 3;
  int steady_evidence = 2;
  // Heard only while the zone was empty for this long.
  std::int64_t empty_after_us = 1800'000'000;
  // A device not yet recognised and unheard for this long is forgotten.
  std::int64_t forget_after_us = 1800'000'000;
};

class FixedDevices final {
 public:
  explicit FixedDevices(FixedDeviceOptions options = {});

  // A probe of the device `identity` (stable within the epoch) at `t_us`,
  // with its signal if known; events in time order.
  void OnProbe(std::uint64_t identity, std::int64_t t_us,
               std::optional<int> signal_dbm = std::nullopt);
  // The window [start_us, end_us) ended; `identity` was heard in it (after
  // OnProbe); `zone_empty`: it was not inside, and no device (fixed ones
  // aside) was.
  void OnWindow(std::uint64_t identity, std::int64_t start_us, std::int64_t end_us,
                bool zone_empty);
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
    std::int64_t burst_us = 0;     // first probe of the last burst
    std::int64_t empty_since = 0;  // start of the first window of its run alone (if alone)
    float period_s = 0;            // 0: no period seen yet
    std::int16_t score = 0;
    std::int16_t rssi_min = 0;  // signal range of the bursts since the period was set
    std::int16_t rssi_max = 0;
    bool has_rssi = false;
    bool alone = false;  // heard in an empty zone since empty_since
    bool seen = false;
    bool fixed = false;
  };
  void OnInterval(Entry& e, double interval_s);
  void Recognise(Entry& e);

  FixedDeviceOptions options_;
  FlatMap<Entry> table_;
  std::size_t recognised_ = 0;
  std::size_t compacted_ = 0;  // table size after the last Expire that compacted
};

}  // namespace footfall::analytics
