// Purpose: encodes a window's aggregates as the footfall.counts/1 JSON message
// (keys in a fixed, documented order) and formats RFC 3339 UTC timestamps.
#include "transport/counts_json.h"

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
                      {"randomized_mac", report.randomized_mac}};
  j["rssi_dbm"] = Json{{"min", OptionalInt(report.rssi_min)},
                       {"median", Median(report.rssi_median)},
                       {"max", OptionalInt(report.rssi_max)}};
  const std::vector<std::string> suppressed = SuppressedFields(report, policy.min_count);
  for (const std::string& field : suppressed) {
    const auto dot = field.find('.');
    j[field.substr(0, dot)][field.substr(dot + 1)] = nullptr;
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
