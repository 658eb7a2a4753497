// Purpose: encoding of the retained info, buffer report and Home Assistant
// discovery messages (see announcements.h).
#include "transport/announcements.h"

#include <nlohmann/json.hpp>

namespace footfall::transport {

namespace {

using nlohmann::json;

std::string VersionName(int v) { return v == 5 ? "5" : "3.1.1"; }

json Rotation(const SensorInfo& info) {
  if (info.rotate_every.count() > 0) {
    return {{"kind", "periodic"}, {"every_s", info.rotate_every.count()}};
  }
  return {{"kind", "daily"}, {"at", info.rotate_at}, {"time_zone", "local"}};
}

json Features(const SensorInfo& info) {
  json f = json::array({"persistent_buffer"});
  if (info.tls) f.push_back("tls");
  if (info.authenticated) f.push_back("authentication");
  if (info.mqtt_version == 5) f.push_back("mqtt5");
  if (info.mqtt_version == 5 && info.message_expiry.count() > 0) f.push_back("message_expiry");
  if (info.home_assistant) f.push_back("home_assistant");
  return f;
}

}  // namespace

std::string EncodeInfo(const SensorInfo& info) {
  json j = {
      {"schema", kInfoSchema},
      {"site", info.site},
      {"sensor", info.sensor},
      {"version", info.version},
      {"topics",
       {{"counts", info.topic_base + "/counts"},
        {"status", info.topic_base + "/status"},
        {"buffer", info.topic_base + "/buffer"}}},
      {"window_s", info.window_length.count()},
      {"rotation", Rotation(info)},
      {"hashing", info.algorithm},
      {"mqtt",
       {{"version", VersionName(info.mqtt_version)},
        {"qos", info.qos},
        {"tls", info.tls},
        {"max_buffered", info.max_buffered},
        {"message_expiry_s", info.mqtt_version == 5 ? info.message_expiry.count() : 0}}},
      {"features", Features(info)},
  };
  return j.dump();
}

std::string EncodeBufferReport(const SensorInfo& info, const BufferReport& report) {
  json j = {
      {"schema", kBufferSchema},
      {"site", info.site},
      {"sensor", info.sensor},
      {"buffered", report.buffered},
      {"max_buffered", report.max_buffered},
      {"dropped_total", report.dropped_total},
      {"expired_total", report.expired_total},
      {"rejected_total", report.rejected_total},
      {"journal_failing", !report.journal_error.empty()},
      {"memory_only", report.memory_only},
      {"max_memory_only", report.max_memory_only},
      {"memory_dropped_total", report.memory_dropped_total},
  };
  if (!report.journal_error.empty()) j["journal_error"] = report.journal_error;
  return j.dump();
}

std::string HomeAssistantUniqueId(const SensorInfo& info, const std::string& what) {
  return "footfall_" + info.site + "_" + info.sensor + "_" + what;
}

std::vector<RetainedMessage> HomeAssistantDiscovery(const SensorInfo& info) {
  struct Entity {
    const char* what;
    const char* name;
    const char* unit;
    const char* icon;
    const char* value_template;
  };
  static const Entity kEntities[] = {
      {"devices", "Devices", "devices", "mdi:cellphone-wireless",
       "{{ value_json.devices.unique }}"},
      {"probe_rate", "Probe requests per minute", "req/min", "mdi:access-point",
       "{% set w = value_json.window %}"
       "{% set s = as_timestamp(w.end) - as_timestamp(w.start) %}"
       "{{ (value_json.frames.probe_requests * 60 / s) | round(1) if s > 0 else none }}"},
      {"randomized_share", "Randomized addresses", "%", "mdi:incognito",
       "{% set d = value_json.devices %}"
       "{{ (100 * d.randomized_mac / d.unique) | round(0) "
       "if d.unique and d.randomized_mac is not none else none }}"},
      // footfall.counts/2: people rather than addresses.
      {"visitors", "Visitors", "people", "mdi:account-group", "{{ value_json.visitors }}"},
      {"estimated_devices", "Estimated devices", "devices", "mdi:cellphone",
       "{{ value_json.devices.estimated }}"},
      {"passersby", "Passers-by", "people", "mdi:walk", "{{ value_json.passersby }}"},
      // footfall.counts/3: people inside now (occupancy-limit, staffing).
      {"occupancy", "Occupancy", "people", "mdi:store", "{{ value_json.occupancy }}"},
  };
  const json device = {
      {"identifiers", json::array({"footfall_" + info.site + "_" + info.sensor})},
      {"name", "footfall " + info.site + " " + info.sensor},
      {"manufacturer", "footfall"},
      {"model", "footfalld Wi-Fi probe request sensor"},
      {"sw_version", info.version},
  };
  std::vector<RetainedMessage> out;
  for (const Entity& e : kEntities) {
    const std::string unique_id = HomeAssistantUniqueId(info, e.what);
    json config = {
        {"name", e.name},
        {"unique_id", unique_id},
        {"object_id", unique_id},
        {"state_topic", info.topic_base + "/counts"},
        {"value_template", e.value_template},
        {"unit_of_measurement", e.unit},
        {"state_class", "measurement"},
        {"icon", e.icon},
        {"availability_topic", info.topic_base + "/status"},
        {"payload_available", "online"},
        {"payload_not_available", "offline"},
        {"device", device},
    };
    out.push_back({info.ha_prefix + "/sensor/" + unique_id + "/config", config.dump(), true});
  }
  return out;
}

}  // namespace footfall::transport
