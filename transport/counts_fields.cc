// Purpose: the rows of kCountsFields (see counts_fields.h): each figure of a
// counts message after "frames", its kind and how it is taken from the
// window, with the rounding the message gives it (a whole median as an
// integer, a share to 3 decimals, whole seconds).
#include "transport/counts_fields.h"

#include <algorithm>
#include <cmath>

#include "transport/counts_json.h"
#include "transport/disclosure.h"

namespace footfall::transport {

namespace {

using R = analytics::WindowReport;

FigureValue OptionalInt(const std::optional<int>& v) {
  return v ? FigureValue(static_cast<std::int64_t>(*v)) : FigureValue(nullptr);
}

// A whole median as an integer (-61), a half as a float (-61.5).
FigureValue Median(const std::optional<double>& v) {
  if (!v) return nullptr;
  if (std::isfinite(*v) && std::floor(*v) == *v) return static_cast<std::int64_t>(*v);
  return *v;
}

// A share from 0 to 1, rounded to 3 decimals.
FigureValue Rate(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return std::round(std::clamp(*v, 0.0, 1.0) * 1000.0) / 1000.0;
}

// Whole seconds, rounded to the nearest.
FigureValue Seconds(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return static_cast<std::int64_t>(std::llround(std::max(*v, 0.0)));
}

constexpr FieldKind kCount = FieldKind::kCount;
constexpr FieldKind kBeside = FieldKind::kBeside;

}  // namespace

const std::vector<CountsField> kCountsFields = {
    {"devices.unique", kCount, [](const R& r) -> FigureValue { return r.devices; }},
    {"devices.global_mac", kCount, [](const R& r) -> FigureValue { return r.global_mac; }},
    {"devices.randomized_mac", kCount, [](const R& r) -> FigureValue { return r.randomized_mac; }},
    {"devices.estimated", kCount,
     [](const R& r) -> FigureValue { return r.people.estimated_devices; }},
    {"rssi_dbm.min", kBeside, [](const R& r) { return OptionalInt(r.rssi_min); }},
    {"rssi_dbm.median", kBeside, [](const R& r) { return Median(r.rssi_median); }},
    {"rssi_dbm.max", kBeside, [](const R& r) { return OptionalInt(r.rssi_max); }},
    {"visitors", kCount, [](const R& r) -> FigureValue { return r.people.visitors; }},
    {"occupancy", kCount, [](const R& r) -> FigureValue { return r.people.occupancy; }},
    {"stationary", kCount, [](const R& r) -> FigureValue { return r.people.stationary; }},
    {"passersby", kCount, [](const R& r) -> FigureValue { return r.people.passersby; }},
    {"arrivals", kCount, [](const R& r) -> FigureValue { return r.people.arrivals; }},
    {"departures", kCount, [](const R& r) -> FigureValue { return r.people.departures; }},
    {"stationary_departures", kCount,
     [](const R& r) -> FigureValue { return StationaryDepartures(r.people); }},
    {"capture_rate", kBeside, [](const R& r) { return Rate(r.people.capture_rate); }},
    {"dwell_s.p50", kBeside, [](const R& r) { return Seconds(r.people.dwell_p50_s); }},
    {"dwell_s.p90", kBeside, [](const R& r) { return Seconds(r.people.dwell_p90_s); }},
    {"engagement.under_5m", kCount,
     [](const R& r) -> FigureValue { return r.people.engagement.under_5m; }},
    {"engagement.5_to_20m", kCount,
     [](const R& r) -> FigureValue { return r.people.engagement.from_5_to_20m; }},
    {"engagement.20_to_60m", kCount,
     [](const R& r) -> FigureValue { return r.people.engagement.from_20_to_60m; }},
    {"engagement.1_to_6h", kCount,
     [](const R& r) -> FigureValue { return r.people.engagement.from_1_to_6h; }},
    {"engagement.over_6h", kCount,
     [](const R& r) -> FigureValue { return r.people.engagement.over_6h; }},
    {"epoch.start", FieldKind::kAlways,
     [](const R& r) -> FigureValue { return FormatUtc(r.people.epoch_start); }},
    {"epoch.devices", kCount, [](const R& r) -> FigureValue { return r.people.epoch_devices; }},
    {"epoch.visitors", kCount, [](const R& r) -> FigureValue { return r.people.epoch_visitors; }},
};

std::uint64_t CountOf(const CountsField& field, const analytics::WindowReport& report) {
  return std::get<std::uint64_t>(field.value(report));
}

}  // namespace footfall::transport
