// Purpose: what a published window may reveal. A minimum group size
// ([privacy] min_count): a count of devices or people below it, other than 0,
// is published as null and named in "suppressed". A count that would let a
// suppressed one be computed back is suppressed with it (devices.unique =
// global_mac + randomized_mac; the engagement buckets add up to the visitor
// visits; departures = passers-by + visitor visits + stationary departures;
// capture_rate = visitor visits / (visitor visits + passers-by)). Figures
// that describe one or two people go too: the signal of a window with fewer
// than min_count devices (it tells where they stood), and the dwell
// percentiles of fewer than min_count visitor visits (one visit's median is
// that person's dwell).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/window_counter.h"

namespace footfall::transport {

struct DisclosurePolicy {
  std::uint64_t min_count = 0;     // 0: nothing is suppressed
  bool rssi_floor_active = false;  // publish frames.below_rssi_floor
};

// The JSON names of the fields of `report` to publish as null, in the order of
// the message (see kSuppressibleFields); empty if none. Nested fields are
// named "object.key" ("devices.unique"), top-level ones by their key
// ("visitors", "capture_rate").
std::vector<std::string> SuppressedFields(const analytics::WindowReport& report,
                                          std::uint64_t min_count);

// Every name SuppressedFields may return, in message order.
extern const std::vector<std::string> kSuppressibleFields;

}  // namespace footfall::transport
