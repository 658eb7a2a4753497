// Purpose: what a published window may reveal. A minimum group size
// ([privacy] min_count = k): a count of devices or people from 1 to k-1 is
// published as null and named in "suppressed" (0 stays 0). Complementary
// suppression then hides more, until no hidden count is fixed by the
// published ones: a generic solver (transport/sum_solver.h) over the
// message's sum relations (kSumRelations: devices.unique = global_mac +
// randomized_mac; departures = passers-by + the engagement buckets +
// stationary departures) decides it, for an attacker who knows that a
// hidden count is >= 0 and one who takes every null to be 0..k-1. Figures
// beside the counts follow: the signal of a window with a hidden device
// count (it tells where those people stood); the capture rate when a
// passer-by count or an engagement bucket is hidden (it would give them
// back); the dwell percentiles of fewer than max(k, 10) visitor visits or
// beside a hidden bucket (a nearest-rank percentile is one visit's
// duration). The key epoch's totals are released in steps of at least k
// (EpochTotals), so that no two messages of an epoch differ by 1..k-1.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "analytics/window_counter.h"

namespace footfall::transport {

struct DisclosurePolicy {
  std::uint64_t min_count = 0;     // 0: nothing is suppressed
  bool rssi_floor_active = false;  // publish frames.below_rssi_floor
  double noise_epsilon = 0;        // > 0: noise mode, the counts are noisy ("noise" in the message)
};

// The JSON names of the fields of `report` to publish as null, in the order of
// the message (see SuppressibleFields); empty if none. Nested fields are
// named "object.key" ("devices.unique"), top-level ones by their key
// ("visitors", "capture_rate").
std::vector<std::string> SuppressedFields(const analytics::WindowReport& report,
                                          std::uint64_t min_count);

// Every name SuppressedFields may return, in message order: the counts and
// the figures beside them of kCountsFields (transport/counts_fields.h, from
// which the encoder writes them too).
const std::vector<std::string>& SuppressibleFields();

// The sum relations between the counts of one message (total = sum of parts).
struct SumRelation {
  std::string total;
  std::vector<std::string> parts;
};
extern const std::vector<SumRelation> kSumRelations;

// Closed visits that were neither a passer-by's nor a visitor's: stationary
// devices (staff, fixed equipment) that left. departures - passersby -
// visitor visits.
std::uint64_t StationaryDepartures(const analytics::PeopleReport& p);

// Releases the key epoch's totals (epoch.devices, epoch.visitors) in steps:
// a total is published as it is while below k (0, or 1..k-1 suppressed as
// null), then it is held at the last value released until it has grown by
// at least k, and released again. So any two messages of one epoch differ
// by 0 or by k or more, and "no change" says nothing (up to k-1 newcomers
// may be held back). A new epoch starts from 0. With k = 0 or 1 the totals
// pass unchanged.
class EpochTotals final {
 public:
  explicit EpochTotals(std::uint64_t min_count) : k_(min_count) {}
  // Rewrites p.epoch_devices and p.epoch_visitors to the values to publish.
  void Release(analytics::PeopleReport& p);
  void set_min_count(std::uint64_t k) { k_ = k; }

 private:
  std::uint64_t k_;
  std::chrono::system_clock::time_point epoch_{};
  bool started_ = false;
  std::uint64_t devices_ = 0, visitors_ = 0;  // last released
};

}  // namespace footfall::transport
