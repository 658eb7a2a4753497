// Purpose: the retained messages that describe the sensor rather than count:
// <base>/info (schema footfall.info/1: version, window length, rotation
// schedule, enabled features; no secrets), <base>/buffer (schema
// footfall.buffer/1: the offline buffer and what it dropped) and the Home
// Assistant MQTT discovery configs (<ha_prefix>/sensor/<unique_id>/config).
// docs/mqtt.md documents each; docs/schema/ holds their JSON Schemas.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "transport/mqtt_publisher.h"

namespace footfall::transport {

inline constexpr const char* kInfoSchema = "footfall.info/1";
inline constexpr const char* kBufferSchema = "footfall.buffer/1";

struct SensorInfo {
  std::string site;
  std::string sensor;
  std::string version;     // footfalld's
  std::string topic_base;  // <prefix>/<site>/<sensor>
  std::chrono::seconds window_length{60};
  std::string rotate_at = "04:00";  // daily rotation, local time (when rotate_every is 0)
  std::chrono::seconds rotate_every{0};
  std::string algorithm = "siphash24";
  int qos = 1;
  int mqtt_version = 4;  // 4 = 3.1.1, 5
  bool tls = false;
  bool authenticated = false;  // a user name is configured
  int max_buffered = 100000;
  std::chrono::seconds message_expiry{0};
  bool home_assistant = true;
  std::string ha_prefix = "homeassistant";
};

// <base>/info, one JSON object.
std::string EncodeInfo(const SensorInfo& info);

// <base>/buffer, one JSON object.
std::string EncodeBufferReport(const SensorInfo& info, const BufferReport& report);

// The discovery configs (retained, re-published on Home Assistant's birth):
// devices, probe requests per minute, the share of randomized addresses, and
// from footfall.counts/2 the visitors present, the estimated devices and the
// passers-by of the window.
std::vector<RetainedMessage> HomeAssistantDiscovery(const SensorInfo& info);

// The <ha_prefix>/sensor/<unique_id>/config ids, [A-Za-z0-9_-] only.
std::string HomeAssistantUniqueId(const SensorInfo& info, const std::string& what);

}  // namespace footfall::transport
