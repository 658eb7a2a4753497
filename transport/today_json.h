// Purpose: the day so far, from the sensor (retained <base>/today, schema
// footfall.today/1): the windows of the current key epoch gathered into
// 15-minute slots, so that a page opened in the afternoon draws the day at
// once. A slot is published once complete and never changes after that.
//
// What it may reveal: nothing the counts have not already published. A sum
// over a slot (arrivals, passers-by, engagement buckets) is null as soon as
// one of its windows published that field as null, since the sum minus the
// published windows would give the hidden ones back; otherwise it is the sum
// of published values (0 or at least min_count each). A peak (devices,
// estimated devices, visitors, occupancy) is null when it is 1..min_count-1; a larger
// peak is one window's published value. The capture rate is published only
// when the passers-by and every engagement bucket are. docs/mqtt.md says so.
// Restarted mid-epoch, it starts empty and says so ("since", "complete").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/window_counter.h"
#include "transport/counts_json.h"

namespace footfall::transport {

inline constexpr const char* kTodaySchema = "footfall.today/1";

class DayLog final {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  DayLog(std::chrono::seconds window, std::uint64_t min_count,
         std::chrono::seconds slot = std::chrono::minutes(15));

  // A new key epoch began at `epoch_start`: every slot is dropped.
  void StartEpoch(TimePoint epoch_start);
  // One window as it was published. Returns true when the message changed
  // (a slot completed, or the first window after StartEpoch): publish it.
  bool Add(const analytics::WindowReport& report);

  // The retained message, one JSON object.
  std::string Encode(const SensorIdentity& id) const;

  struct Slot {
    TimePoint start{};
    std::uint64_t windows = 0;
    std::uint64_t probe_requests = 0;
    std::uint64_t devices_peak = 0;
    std::uint64_t estimated_peak = 0;
    std::uint64_t visitors_peak = 0;
    std::uint64_t occupancy_peak = 0;
    std::uint64_t arrivals = 0;
    std::uint64_t passersby = 0;
    std::uint64_t engagement[5] = {};
    std::uint64_t visitor_visits = 0;
    std::vector<std::string> hidden;  // sums a window hid (field names of counts)
  };
  const std::vector<Slot>& completed() const { return completed_; }

 private:
  std::chrono::seconds window_;
  std::uint64_t min_count_;
  std::chrono::seconds slot_;
  std::optional<TimePoint> epoch_start_;
  std::optional<TimePoint> since_;  // the first window counted in this epoch
  std::optional<Slot> open_;
  std::vector<Slot> completed_;
  bool announced_ = false;
};

}  // namespace footfall::transport
