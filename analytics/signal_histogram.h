// Purpose: the installer's signal view. For each estimated device, its
// strongest signal over a span (footfalld: each clock hour, then Clear); the
// devices counted in 5 dB bins of that signal. An installer reads where the shop's inside ends (a
// hump of strong signals) and where the street begins, and sets [analytics] visitor_rssi_dbm from
// it. Time comes only from the events and the Snapshot call (the caller's clock). Device identities
// are keyed like the pseudonyms: Clear() at a key rotation.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

namespace footfall::analytics {

class SignalHistogram final {
 public:
  static constexpr int kBinDb = 5;

  // Devices seen within `span` before the snapshot time count; sightings are
  // kept in slots of `step` (the span is exact to one step).
  explicit SignalHistogram(std::chrono::seconds span = std::chrono::hours(1),
                           std::chrono::seconds step = std::chrono::seconds(60));

  // A sighting of estimated device `device` (an identity, never a MAC) with
  // `signal_dbm`. Events come in time order; a late one counts in the latest slot.
  void Add(std::chrono::system_clock::time_point t, std::uint64_t device, int signal_dbm);
  // Forgets every device (a new key epoch).
  void Clear() { slots_.clear(); }

  struct Bin {
    int from_dbm = 0;  // inclusive; the bin is [from_dbm, from_dbm + kBinDb)
    std::uint64_t devices = 0;
  };
  // Devices by their strongest signal in the slots that end after now - span,
  // from the weakest non-empty bin to the strongest, empty bins between them
  // included; empty if no device. Forgets older slots.
  std::vector<Bin> Snapshot(std::chrono::system_clock::time_point now);

  std::chrono::seconds span() const { return span_; }
  // Devices kept in all slots (memory bound: devices per step × steps).
  std::size_t entries() const;

 private:
  struct Slot {
    std::int64_t index = 0;  // start / step
    std::unordered_map<std::uint64_t, std::int16_t> strongest;
  };
  std::int64_t step_s_;
  std::chrono::seconds span_;
  std::deque<Slot> slots_;
};

// The bin's lower bound for a signal (floor to a multiple of kBinDb: -63 -> -65).
int SignalBinFloor(int signal_dbm);

}  // namespace footfall::analytics
