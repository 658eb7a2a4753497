// Purpose: what a published window may reveal. A minimum group size
// ([privacy] min_count): a device count below it, other than 0, is published
// as null and named in "suppressed". A count that would let a suppressed one
// be computed back (devices.unique = global_mac + randomized_mac) is
// suppressed with it, and the signal figures of a window whose devices.unique
// is suppressed go too, since the signal of one or two phones tells where
// those people stood.
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

// The JSON names ("devices.unique", "devices.global_mac",
// "devices.randomized_mac", "rssi_dbm.min", "rssi_dbm.median", "rssi_dbm.max")
// of the fields of `report` to publish as null, in that order; empty if none.
std::vector<std::string> SuppressedFields(const analytics::WindowReport& report,
                                          std::uint64_t min_count);

}  // namespace footfall::transport
