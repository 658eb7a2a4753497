// Purpose: small-count suppression of a window's device counts (see
// disclosure.h), with the complementary suppression that keeps a hidden count
// from being recomputed from the published ones.
#include "transport/disclosure.h"

namespace footfall::transport {

std::vector<std::string> SuppressedFields(const analytics::WindowReport& report,
                                          std::uint64_t min_count) {
  std::vector<std::string> out;
  if (min_count == 0) return out;
  const auto small = [min_count](std::uint64_t v) { return v > 0 && v < min_count; };
  const bool unique = small(report.devices);
  // unique = global + randomized: with one of the two hidden and the other
  // published beside unique, the hidden one is a subtraction away. So both go,
  // unless the other is 0 (then it equals unique, which is hidden itself).
  bool global = small(report.global_mac);
  bool randomized = small(report.randomized_mac);
  if (global && report.randomized_mac > 0) randomized = true;
  if (randomized && report.global_mac > 0) global = true;
  if (unique) out.emplace_back("devices.unique");
  if (global) out.emplace_back("devices.global_mac");
  if (randomized) out.emplace_back("devices.randomized_mac");
  if (unique) {
    out.emplace_back("rssi_dbm.min");
    out.emplace_back("rssi_dbm.median");
    out.emplace_back("rssi_dbm.max");
  }
  return out;
}

}  // namespace footfall::transport
