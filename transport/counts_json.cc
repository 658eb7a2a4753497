// Purpose: encodes a window's aggregates as the footfall.counts/3 JSON message
// (keys in a fixed, documented order: the footfall.counts/1 fields first,
// unchanged, then the people-level ones) and formats RFC 3339 UTC timestamps.
#include "transport/counts_json.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <variant>

#include "transport/counts_fields.h"

namespace footfall::transport {

namespace {

using Json = nlohmann::ordered_json;

// A figure of kCountsFields as JSON.
Json ToJson(const FigureValue& v) {
  return std::visit([](const auto& x) { return Json(x); }, v);
}

// The slot of a field named "object.key" ("devices.unique") or by its
// top-level key ("visitors").
Json& Slot(Json& j, const std::string& name) {
  const auto dot = name.find('.');
  if (dot == std::string::npos) return j[name];
  return j[name.substr(0, dot)][name.substr(dot + 1)];
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
  // The figures after "frames", in message order (counts_fields.h).
  for (const CountsField& field : kCountsFields) Slot(j, field.name) = ToJson(field.value(report));
  const std::vector<std::string> suppressed = SuppressedFields(report, policy.min_count);
  for (const std::string& field : suppressed) Slot(j, field) = nullptr;
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
