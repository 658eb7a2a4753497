// Purpose: the wire format of a window's aggregates (schema footfall.counts/3),
// the message a data engineer reads from <prefix>/<site>/<sensor>/counts.
// Version 2 kept every field of footfall.counts/1 as it was and added the
// people-level figures (devices.estimated, visitors, visits, dwell,
// engagement, the key epoch's totals) after "rssi_dbm"; version 3 keeps
// those and adds "occupancy" after "visitors" and "stationary_departures"
// after "departures"; docs/mqtt.md and docs/schema/counts-v3.json document
// each.
#pragma once

#include <cstdint>
#include <string>

#include "analytics/window_counter.h"
#include "transport/disclosure.h"

namespace footfall::transport {

struct SensorIdentity {
  std::string site;
  std::string sensor;
};

inline constexpr const char* kCountsSchema = "footfall.counts/3";

// One JSON object, no trailing newline. Times as RFC 3339 UTC ("...Z"),
// with fractional seconds only when not whole. Under `policy`, small counts
// of devices and people (and the figures they would give away) are null and
// listed in "suppressed" (present only when not empty),
// and frames.below_rssi_floor is present only when the signal floor is on.
std::string EncodeCounts(const SensorIdentity& id, std::uint64_t seq,
                         const analytics::WindowReport& report,
                         const DisclosurePolicy& policy = {});

// RFC 3339 UTC with a 'Z' suffix, e.g. 2026-11-24T10:00:00Z (adds .ffffff if needed).
std::string FormatUtc(std::chrono::system_clock::time_point t);

}  // namespace footfall::transport
