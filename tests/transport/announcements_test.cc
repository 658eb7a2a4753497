// Purpose: tests of the retained info, buffer report and Home Assistant
// discovery payloads: each is valid against its JSON Schema in docs/schema/
// (python3-jsonschema), carries what the docs promise, and nothing secret.
#include "transport/announcements.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/schema_check.h"

namespace footfall::transport {
namespace {

using nlohmann::json;

SensorInfo Info() {
  SensorInfo i;
  i.site = "store-7";
  i.sensor = "door";
  i.version = "1.2.3";
  i.topic_base = "footfall/store-7/door";
  i.window_length = std::chrono::seconds(60);
  return i;
}

TEST(AnnouncementsTest, InfoDescribesTheSensorAndMatchesItsSchema) {
  SensorInfo info = Info();
  json j = json::parse(EncodeInfo(info));
  EXPECT_EQ(j["schema"], "footfall.info/1");
  EXPECT_EQ(j["version"], "1.2.3");
  EXPECT_EQ(j["window_s"], 60);
  EXPECT_EQ(j["rotation"], json({{"kind", "daily"}, {"at", "04:00"}, {"time_zone", "local"}}));
  EXPECT_EQ(j["topics"]["counts"], "footfall/store-7/door/counts");
  EXPECT_EQ(j["mqtt"]["version"], "3.1.1");
  EXPECT_EQ(j["features"], json({"persistent_buffer", "home_assistant"}));
  EXPECT_EQ(footfall::testing::SchemaViolations("info-v1.json", j.dump()),
            std::vector<std::string>{});

  info.rotate_every = std::chrono::seconds(3600);
  info.mqtt_version = 5;
  info.message_expiry = std::chrono::seconds(600);
  info.tls = true;
  info.authenticated = true;
  info.home_assistant = false;
  j = json::parse(EncodeInfo(info));
  EXPECT_EQ(j["rotation"], json({{"kind", "periodic"}, {"every_s", 3600}}));
  EXPECT_EQ(j["mqtt"]["message_expiry_s"], 600);
  EXPECT_EQ(j["features"],
            json({"persistent_buffer", "tls", "authentication", "mqtt5", "message_expiry"}));
  EXPECT_EQ(footfall::testing::SchemaViolations("info-v1.json", j.dump()),
            std::vector<std::string>{});
}

TEST(AnnouncementsTest, SchemaCheckCatchesAnInvalidDocument) {
  // The validator is really at work: a wrong type and a missing field.
  json j = json::parse(EncodeInfo(Info()));
  j["window_s"] = "60";
  j.erase("version");
  const auto errors = footfall::testing::SchemaViolations("info-v1.json", j.dump());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("version"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("window_s"), std::string::npos) << errors[1];
}

TEST(AnnouncementsTest, BufferReportMatchesItsSchema) {
  BufferReport r;
  r.buffered = 12;
  r.max_buffered = 100;
  r.dropped_total = 3;
  r.max_memory_only = 50;
  const std::string text = EncodeBufferReport(Info(), r);
  json j = json::parse(text);
  EXPECT_EQ(j["schema"], "footfall.buffer/1");
  EXPECT_EQ(j["buffered"], 12);
  EXPECT_EQ(j["dropped_total"], 3);
  EXPECT_EQ(j["journal_failing"], false);
  EXPECT_FALSE(j.contains("journal_error"));
  EXPECT_EQ(footfall::testing::SchemaViolations("buffer-v1.json", text),
            std::vector<std::string>{});
  // The journal cannot be written (a full disk): it says so, and how many
  // are held in memory and were dropped beyond the bound.
  r.journal_error = "cannot append to MQTT journal /s/mqtt-journal: No space left on device";
  r.memory_only = 50;
  r.memory_dropped_total = 7;
  const std::string failing = EncodeBufferReport(Info(), r);
  j = json::parse(failing);
  EXPECT_EQ(j["journal_failing"], true);
  EXPECT_EQ(j["journal_error"], r.journal_error);
  EXPECT_EQ(j["memory_only"], 50);
  EXPECT_EQ(j["max_memory_only"], 50);
  EXPECT_EQ(j["memory_dropped_total"], 7);
  EXPECT_EQ(footfall::testing::SchemaViolations("buffer-v1.json", failing),
            std::vector<std::string>{});
}

TEST(AnnouncementsTest, HomeAssistantDiscoveryConfigs) {
  const auto configs = HomeAssistantDiscovery(Info());
  ASSERT_EQ(configs.size(), 7u);
  const std::vector<std::string> topics = {
      "homeassistant/sensor/footfall_store-7_door_devices/config",
      "homeassistant/sensor/footfall_store-7_door_probe_rate/config",
      "homeassistant/sensor/footfall_store-7_door_randomized_share/config",
      "homeassistant/sensor/footfall_store-7_door_visitors/config",
      "homeassistant/sensor/footfall_store-7_door_estimated_devices/config",
      "homeassistant/sensor/footfall_store-7_door_passersby/config",
      "homeassistant/sensor/footfall_store-7_door_occupancy/config"};
  std::vector<footfall::testing::MqttMessage> messages;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    EXPECT_EQ(configs[i].topic, topics[i]);
    EXPECT_TRUE(configs[i].home_assistant);
    messages.push_back({configs[i].topic, configs[i].payload});
    const json c = json::parse(configs[i].payload);
    EXPECT_EQ(c["state_topic"], "footfall/store-7/door/counts");
    EXPECT_EQ(c["availability_topic"], "footfall/store-7/door/status");
    EXPECT_EQ(c["state_class"], "measurement");
    EXPECT_EQ(c["device"]["identifiers"], json({"footfall_store-7_door"}));
    EXPECT_EQ(c["device"]["manufacturer"], "footfall");
    EXPECT_EQ(c["device"]["sw_version"], "1.2.3");
  }
  EXPECT_EQ(json::parse(configs[0].payload)["value_template"], "{{ value_json.devices.unique }}");
  // The people of footfall.counts/2.
  const json visitors = json::parse(configs[3].payload);
  EXPECT_EQ(visitors["name"], "Visitors");
  EXPECT_EQ(visitors["unique_id"], "footfall_store-7_door_visitors");
  EXPECT_EQ(visitors["object_id"], "footfall_store-7_door_visitors");
  EXPECT_EQ(visitors["value_template"], "{{ value_json.visitors }}");
  EXPECT_EQ(visitors["unit_of_measurement"], "people");
  const json estimated = json::parse(configs[4].payload);
  EXPECT_EQ(estimated["name"], "Estimated devices");
  EXPECT_EQ(estimated["value_template"], "{{ value_json.devices.estimated }}");
  EXPECT_EQ(estimated["unit_of_measurement"], "devices");
  const json passersby = json::parse(configs[5].payload);
  EXPECT_EQ(passersby["name"], "Passers-by");
  EXPECT_EQ(passersby["value_template"], "{{ value_json.passersby }}");
  EXPECT_EQ(passersby["unit_of_measurement"], "people");
  // The people inside, of footfall.counts/3.
  const json occupancy = json::parse(configs[6].payload);
  EXPECT_EQ(occupancy["name"], "Occupancy");
  EXPECT_EQ(occupancy["unique_id"], "footfall_store-7_door_occupancy");
  EXPECT_EQ(occupancy["value_template"], "{{ value_json.occupancy }}");
  EXPECT_EQ(occupancy["unit_of_measurement"], "people");
  // Each template reads a field that footfall.counts/3 requires.
  const json schema = json::parse(
      footfall::testing::ReadFile(footfall::testing::SourceDir() + "/docs/schema/counts-v3.json"));
  const auto required = [](const json& object, const std::string& key) {
    const auto& r = object["required"];
    return std::find(r.begin(), r.end(), key) != r.end();
  };
  EXPECT_TRUE(required(schema, "visitors"));
  EXPECT_TRUE(required(schema, "passersby"));
  EXPECT_TRUE(required(schema, "occupancy"));
  EXPECT_TRUE(required(schema["properties"]["devices"], "estimated"));
  EXPECT_EQ(footfall::testing::SchemaViolations(messages), std::vector<std::string>{});
  SensorInfo other = Info();
  other.ha_prefix = "ha";
  EXPECT_EQ(HomeAssistantDiscovery(other)[0].topic,
            "ha/sensor/footfall_store-7_door_devices/config");
}

}  // namespace
}  // namespace footfall::transport
