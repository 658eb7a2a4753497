// Purpose: small-count suppression of a window's counts of devices and people
// (see disclosure.h), with the complementary suppression that keeps a hidden
// count from being recomputed from the published ones.
#include "transport/disclosure.h"

#include <array>
#include <set>

namespace footfall::transport {

const std::vector<std::string> kSuppressibleFields = {"devices.unique",
                                                      "devices.global_mac",
                                                      "devices.randomized_mac",
                                                      "devices.estimated",
                                                      "rssi_dbm.min",
                                                      "rssi_dbm.median",
                                                      "rssi_dbm.max",
                                                      "visitors",
                                                      "occupancy",
                                                      "stationary",
                                                      "passersby",
                                                      "arrivals",
                                                      "departures",
                                                      "capture_rate",
                                                      "dwell_s.p50",
                                                      "dwell_s.p90",
                                                      "engagement.under_5m",
                                                      "engagement.5_to_20m",
                                                      "engagement.20_to_60m",
                                                      "engagement.1_to_6h",
                                                      "engagement.over_6h",
                                                      "epoch.devices",
                                                      "epoch.visitors"};

std::vector<std::string> SuppressedFields(const analytics::WindowReport& report,
                                          std::uint64_t min_count) {
  std::vector<std::string> out;
  if (min_count == 0) return out;
  const auto small = [min_count](std::uint64_t v) { return v > 0 && v < min_count; };
  std::set<std::string> hidden;

  // Addresses. unique = global + randomized: with one of the two hidden and
  // the other published beside unique, the hidden one is a subtraction away.
  // So both go, unless the other is 0 (then it equals unique, hidden itself).
  const bool unique = small(report.devices);
  bool global = small(report.global_mac);
  bool randomized = small(report.randomized_mac);
  if (global && report.randomized_mac > 0) randomized = true;
  if (randomized && report.global_mac > 0) global = true;
  if (unique) hidden.insert("devices.unique");
  if (global) hidden.insert("devices.global_mac");
  if (randomized) hidden.insert("devices.randomized_mac");
  const analytics::PeopleReport& p = report.people;
  const bool estimated = small(p.estimated_devices);
  if (estimated) hidden.insert("devices.estimated");
  // The signal of fewer than min_count phones (by address or by estimated
  // device) tells where those people stood.
  if (unique || estimated) {
    hidden.insert("rssi_dbm.min");
    hidden.insert("rssi_dbm.median");
    hidden.insert("rssi_dbm.max");
  }

  // People: each count on its own ...
  if (small(p.visitors)) hidden.insert("visitors");
  // Occupancy (people inside during the window) adds up with no published
  // figure, so it goes on its own.
  if (small(p.occupancy)) hidden.insert("occupancy");
  if (small(p.stationary)) hidden.insert("stationary");
  if (small(p.passersby)) hidden.insert("passersby");
  if (small(p.arrivals)) hidden.insert("arrivals");
  if (small(p.epoch_devices)) hidden.insert("epoch.devices");
  if (small(p.epoch_visitors)) hidden.insert("epoch.visitors");
  // ... and the closed visits, which add up: departures = passers-by +
  // visitor visits (+ stationary departures, usually 0), and the engagement
  // buckets add up to the visitor visits. A small number of passers-by or of
  // visitor visits would be departures minus the other, or (with the
  // buckets) a capture rate away, so departures and capture_rate go with it.
  const bool few_passersby = small(p.passersby);
  const bool few_visits = small(p.visitor_visits);
  if (small(p.departures) || few_passersby || few_visits) hidden.insert("departures");
  if (p.capture_rate && (few_passersby || few_visits)) hidden.insert("capture_rate");
  // The dwell percentiles of one or two visits are those people's dwell.
  if (few_visits) {
    hidden.insert("dwell_s.p50");
    hidden.insert("dwell_s.p90");
  }
  // Engagement buckets: a single hidden bucket would be the visitor visits
  // (departures - passers-by, or from the capture rate) minus the others, so
  // the smallest other non-zero bucket goes with it.
  const analytics::Engagement& e = p.engagement;
  const std::array<std::pair<const char*, std::uint64_t>, 5> buckets = {{
      {"engagement.under_5m", e.under_5m},
      {"engagement.5_to_20m", e.from_5_to_20m},
      {"engagement.20_to_60m", e.from_20_to_60m},
      {"engagement.1_to_6h", e.from_1_to_6h},
      {"engagement.over_6h", e.over_6h},
  }};
  int hidden_buckets = 0;
  for (const auto& [name, value] : buckets) {
    if (small(value)) {
      hidden.insert(name);
      ++hidden_buckets;
    }
  }
  if (hidden_buckets == 1) {
    const char* partner = nullptr;
    std::uint64_t least = 0;
    for (const auto& [name, value] : buckets) {
      if (value == 0 || hidden.count(name) != 0) continue;
      if (partner == nullptr || value < least) {
        partner = name;
        least = value;
      }
    }
    if (partner != nullptr) hidden.insert(partner);
  }

  for (const std::string& name : kSuppressibleFields) {
    if (hidden.count(name) != 0) out.push_back(name);
  }
  return out;
}

}  // namespace footfall::transport
