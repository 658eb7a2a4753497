// Purpose: per-window aggregates of the pseudonymized frame stream. Windows
// have a fixed length and are aligned to multiples of that length since the
// Unix epoch (UTC). Time comes only from the events and AdvanceTo/Flush calls
// (the caller's clock), so the counter is tested without sleeping and a file
// replay is deterministic. Empty windows are reported too.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "analytics/people_estimator.h"
#include "hashing/pseudonymizer.h"

namespace footfall::analytics {

using TimePoint = std::chrono::system_clock::time_point;

// People-level aggregates (schema footfall.counts/2), from the estimated
// physical devices (analytics/people_estimator.h). Visit definitions: a
// device is present from its first to its last sighting while gaps stay under
// visit_gap; a visit is *closed* once visit_gap has passed since its last
// sighting, and is reported in the window in which that happens.
struct Engagement {  // visitor visits closed in the window, by duration
  std::uint64_t under_5m = 0;
  std::uint64_t from_5_to_20m = 0;
  std::uint64_t from_20_to_60m = 0;
  std::uint64_t from_1_to_6h = 0;
  std::uint64_t over_6h = 0;
};

struct PeopleReport {
  // Estimated physical devices with a valid probe request in the window:
  // randomized pseudonyms grouped into devices.
  std::uint64_t estimated_devices = 0;
  // Estimated devices heard inside the zone (signal reached inside_rssi_dbm)
  // in the window, fixed devices aside: people in the shop during the window
  // (schema footfall.counts/3).
  std::uint64_t occupancy = 0;
  // Open visits at the window's end: visitors (signal reached visitor_rssi_dbm,
  // lasted >= min_visit, shorter than stationary_after) and stationary
  // devices (staff, fixed equipment: present longer than stationary_after, or
  // recognised as fixed by their cadence: analytics/fixed_devices.h).
  std::uint64_t visitors = 0;
  std::uint64_t stationary = 0;
  std::uint64_t arrivals = 0;          // visits that began in the window
  std::uint64_t departures = 0;        // visits closed in the window (every kind)
  std::uint64_t passersby = 0;         // ... of which passers-by
  std::uint64_t visitor_visits = 0;    // ... of which visitor visits
  std::optional<double> capture_rate;  // visitor / (visitor + passer-by) visits closed; none if 0
  std::optional<double> dwell_p50_s;   // of the visitor visits closed in the window
  std::optional<double> dwell_p90_s;
  Engagement engagement;
  // Since the start of the current key epoch (e.g. today): distinct estimated
  // devices and distinct visitors (HyperLogLog, exact while small).
  TimePoint epoch_start{};
  std::uint64_t epoch_devices = 0;
  std::uint64_t epoch_visitors = 0;
};

struct WindowReport {
  TimePoint start{};
  TimePoint end{};                     // start + length, or the flush time for a partial window
  bool partial = false;                // closed early (end of file, shutdown)
  std::uint64_t probe_requests = 0;    // valid probe requests
  std::uint64_t malformed = 0;         // frames that could not be parsed
  std::uint64_t bad_fcs = 0;           // frames with a bad FCS (flagged or CRC mismatch)
  std::uint64_t below_rssi_floor = 0;  // probe requests dropped unhashed: weaker than the floor
  std::uint64_t devices = 0;           // distinct pseudonyms of valid probe requests
  std::uint64_t global_mac = 0;        // ... of which globally administered
  std::uint64_t randomized_mac = 0;    // ... of which locally administered
  // Signal of valid probe requests that carry one; all empty if none did.
  std::optional<int> rssi_min;
  std::optional<double> rssi_median;  // mean of the two middle values for an even count
  std::optional<int> rssi_max;
  PeopleReport people;
};

class WindowCounter final {
 public:
  using Emit = std::function<void(const WindowReport&)>;

  // `length` from 1 s to 1 day.
  WindowCounter(std::chrono::seconds length, Emit emit, PeopleOptions people = {});

  // Events. An event older than the current window (clock skew between
  // sources) is counted in the current window; a later one first closes every
  // window before it (emitting empty ones in between). A pseudonym that
  // carries its previous-epoch pseudonym (key carry-over) is not counted again
  // if that previous pseudonym was already seen in the window.
  // `traits` feed the estimated devices and visits (people_estimator.h).
  void OnProbe(TimePoint t, const hashing::Pseudonym& who, std::optional<int> signal_dbm,
               const ProbeTraits& traits = {});
  // A new key epoch began (see PeopleEstimator::StartEpoch).
  void StartEpoch(TimePoint start, bool keep_devices) { people_.StartEpoch(start, keep_devices); }
  const PeopleEstimator& people() const { return people_; }
  // A probe request dropped before hashing by the signal floor.
  void OnBelowRssiFloor(TimePoint t);
  void OnMalformed(TimePoint t);
  void OnBadFcs(TimePoint t);

  // Closes (emits) every window that ends at or before `now`.
  void AdvanceTo(TimePoint now);
  // Emits the current window as partial, ending at `now` (if any window has
  // started), and starts nothing new. Used at end of file and shutdown.
  void Flush(TimePoint now);

  std::optional<TimePoint> current_start() const;
  std::chrono::seconds length() const { return length_; }
  // Distinct devices of the window in progress.
  std::uint64_t current_devices() const { return acc_.global_mac + acc_.randomized_mac; }

 private:
  void Begin(TimePoint t);
  void EmitCurrent(TimePoint end, bool partial);
  void Reset(TimePoint start);

  std::chrono::seconds length_;
  Emit emit_;
  bool started_ = false;
  TimePoint start_{};
  WindowReport acc_{};
  std::array<std::uint32_t, 256> rssi_hist_{};  // index = dBm + 128
  std::uint64_t rssi_count_ = 0;
  PeopleEstimator people_;
};

// Start of the window of `length` that contains `t` (floor to a multiple since the epoch).
TimePoint WindowStart(TimePoint t, std::chrono::seconds length);

}  // namespace footfall::analytics
