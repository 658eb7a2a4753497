// Purpose: encodes the signal histogram as footfall.signal/1 (signal_json.h).
#include "transport/signal_json.h"

#include <nlohmann/json.hpp>

namespace footfall::transport {

std::string EncodeSignal(const SensorIdentity& id, std::chrono::system_clock::time_point start,
                         std::chrono::system_clock::time_point end,
                         const std::vector<analytics::SignalHistogram::Bin>& bins,
                         const SignalThresholds& thresholds, std::uint64_t min_count) {
  using Json = nlohmann::ordered_json;
  Json j;
  j["schema"] = kSignalSchema;
  j["site"] = id.site;
  j["sensor"] = id.sensor;
  j["span"] = Json{{"start", FormatUtc(start)}, {"end", FormatUtc(end)}};
  j["bin_db"] = analytics::SignalHistogram::kBinDb;
  j["min_count"] = min_count;
  Json t;
  t["visitor_rssi_dbm"] = thresholds.visitor_rssi_dbm;
  if (thresholds.inside_rssi_dbm) t["inside_rssi_dbm"] = *thresholds.inside_rssi_dbm;
  if (thresholds.min_rssi_dbm) t["min_rssi_dbm"] = *thresholds.min_rssi_dbm;
  j["thresholds"] = std::move(t);
  Json out = Json::array();
  for (const auto& b : bins) {
    const bool hidden = min_count > 0 && b.devices > 0 && b.devices < min_count;
    out.push_back(Json{{"from_dbm", b.from_dbm},
                       {"to_dbm", b.from_dbm + analytics::SignalHistogram::kBinDb},
                       {"devices", hidden ? Json(nullptr) : Json(b.devices)}});
  }
  j["bins"] = std::move(out);
  return j.dump();
}

}  // namespace footfall::transport
