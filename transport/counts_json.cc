// Purpose: encodes a window's aggregates as the footfall.counts/3 JSON message
// (keys in a fixed, documented order: the footfall.counts/1 fields first,
// unchanged, then the people-level ones) and formats RFC 3339 UTC timestamps.
#include "transport/counts_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace footfall::transport {

namespace {

using Json = nlohmann::ordered_json;

Json OptionalInt(const std::optional<int>& v) { return v ? Json(*v) : Json(nullptr); }

// A whole median as an integer (-61), a half as a float (-61.5).
Json Median(const std::optional<double>& v) {
  if (!v) return Json(nullptr);
  if (std::isfinite(*v) && std::floor(*v) == *v) return Json(static_cast<std::int64_t>(*v));
  return Json(*v);
}

// A share from 0 to 1, rounded to 3 decimals.
Json Rate(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return Json(nullptr);
  return Json(std::round(std::clamp(*v, 0.0, 1.0) * 1000.0) / 1000.0);
}

// Whole seconds, rounded to the nearest.
Json Seconds(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return Json(nullptr);
  return Json(static_cast<std::int64_t>(std::llround(std::max(*v, 0.0))));
}

}  // namespace

std::string EncodeCounts(const SensorIdentity& id, std::uint64_t seq,
                         const analytics::WindowReport& report, const DisclosurePolicy& policy) {
  Json j;
  j["schema"] = kCountsSchema;
  j["site"] = id.site;
  j["sensor"] = id.sensor;
  j["seq"] = seq;
  j["window"] = Json{{"start", FormatUtc(report.start)},
                     {"end", FormatUtc(report.end)},
                     {"partial", report.partial}};
  j["frames"] = Json{{"probe_requests", report.probe_requests},
                     {"malformed", report.malformed},
                     {"bad_fcs", report.bad_fcs}};
  if (policy.rssi_floor_active) j["frames"]["below_rssi_floor"] = report.below_rssi_floor;
  j["devices"] = Json{{"unique", report.devices},
                      {"global_mac", report.global_mac},
                      {"randomized_mac", report.randomized_mac},
                      {"estimated", report.people.estimated_devices}};
  j["rssi_dbm"] = Json{{"min", OptionalInt(report.rssi_min)},
                       {"median", Median(report.rssi_median)},
                       {"max", OptionalInt(report.rssi_max)}};
  const analytics::PeopleReport& p = report.people;
  j["visitors"] = p.visitors;
  j["occupancy"] = p.occupancy;
  j["stationary"] = p.stationary;
  j["passersby"] = p.passersby;
  j["arrivals"] = p.arrivals;
  j["departures"] = p.departures;
  j["stationary_departures"] = StationaryDepartures(p);
  j["capture_rate"] = Rate(p.capture_rate);
  j["dwell_s"] = Json{{"p50", Seconds(p.dwell_p50_s)}, {"p90", Seconds(p.dwell_p90_s)}};
  j["engagement"] = Json{{"under_5m", p.engagement.under_5m},
                         {"5_to_20m", p.engagement.from_5_to_20m},
                         {"20_to_60m", p.engagement.from_20_to_60m},
                         {"1_to_6h", p.engagement.from_1_to_6h},
                         {"over_6h", p.engagement.over_6h}};
  j["epoch"] = Json{{"start", FormatUtc(p.epoch_start)},
                    {"devices", p.epoch_devices},
                    {"visitors", p.epoch_visitors}};
  const std::vector<std::string> suppressed = SuppressedFields(report, policy.min_count);
  for (const std::string& field : suppressed) {
    const auto dot = field.find('.');
    if (dot == std::string::npos) {
      j[field] = nullptr;  // a top-level field ("visitors")
    } else {
      j[field.substr(0, dot)][field.substr(dot + 1)] = nullptr;
    }
  }
  if (policy.noise_epsilon > 0) {
    j["noise"] = Json{{"mechanism", "discrete_laplace"}, {"epsilon", policy.noise_epsilon}};
  }
  if (!suppressed.empty()) j["suppressed"] = suppressed;
  return j.dump();
}

std::string FormatUtc(std::chrono::system_clock::time_point t) {
  using std::chrono::duration_cast;
  using std::chrono::floor;
  using std::chrono::microseconds;
  using std::chrono::seconds;
  const auto whole = floor<seconds>(t);
  const auto micros = duration_cast<microseconds>(t - whole).count();
  const std::time_t tt = static_cast<std::time_t>(whole.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micros != 0) {
    n += static_cast<std::size_t>(
        std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(micros)));
  }
  return std::string(buf, n) + "Z";
}

}  // namespace footfall::transport
