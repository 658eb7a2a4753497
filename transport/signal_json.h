// Purpose: the installer's signal view on the wire (retained <base>/signal,
// schema footfall.signal/1): the estimated devices of one period (the last
// full clock hour) counted in 5 dB bins of their strongest signal in it
// (analytics/signal_histogram.h), with the configured thresholds to draw as
// lines. A bin of 1..min_count-1 devices is null; no total is published (it
// would give a hidden bin back by difference). Successive messages cover
// disjoint periods, so that two of them never differ by a newcomer.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/signal_histogram.h"
#include "transport/counts_json.h"

namespace footfall::transport {

inline constexpr const char* kSignalSchema = "footfall.signal/1";

struct SignalThresholds {
  int visitor_rssi_dbm = -70;          // [analytics] visitor_rssi_dbm
  std::optional<int> inside_rssi_dbm;  // [analytics] inside threshold, when configured
  std::optional<int> min_rssi_dbm;     // [privacy] min_rssi_dbm: nothing weaker is counted
};

std::string EncodeSignal(const SensorIdentity& id, std::chrono::system_clock::time_point start,
                         std::chrono::system_clock::time_point end,
                         const std::vector<analytics::SignalHistogram::Bin>& bins,
                         const SignalThresholds& thresholds, std::uint64_t min_count);

}  // namespace footfall::transport
