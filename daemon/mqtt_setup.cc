// Purpose: the MQTT publisher's options from the configuration (see
// mqtt_setup.h).
#include "daemon/mqtt_setup.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "daemon/secret_file.h"

namespace footfall::daemon {

transport::SensorInfo SensorInfoFrom(const Config& config) {
  transport::SensorInfo info;
  info.site = config.site;
  info.sensor = config.sensor_id;
  info.version = FOOTFALL_VERSION;
  info.topic_base = config.topic_base();
  info.window_length = config.window_length;
  info.rotate_at = config.rotation.daily_at.ToString();
  info.rotate_every = config.rotation.every;
  info.algorithm = hashing::AlgorithmName(config.algorithm);
  info.qos = config.qos;
  info.mqtt_version = config.mqtt_version;
  info.tls = config.broker.tls;
  info.authenticated = !config.username.empty();
  info.max_buffered = config.max_buffered;
  info.message_expiry = config.message_expiry;
  info.home_assistant = config.ha_enabled;
  info.ha_prefix = config.ha_prefix;
  return info;
}

Password ReadPassword(const Config& config, const char* credentials_dir) {
  // A password file others may read is refused, like the seed file.
  Password p;
  if (std::optional<Secret> s =
          ReadSecret(kPasswordCredential, config.password_file, credentials_dir)) {
    p.value = std::move(s->value);
    p.source = std::move(s->source);
  }
  return p;
}

transport::MqttOptions MqttOptionsFrom(const Config& config) {
  transport::MqttOptions o;
  o.broker = config.broker;
  o.client_id = config.effective_client_id();
  o.topic_base = config.topic_base();
  o.journal_path = config.state_dir + "/mqtt-journal";
  o.qos = config.qos;
  o.max_buffered = config.max_buffered;
  o.max_memory_buffered = config.max_memory_buffered;
  o.mqtt_version = config.mqtt_version;
  o.message_expiry = config.message_expiry;
  o.ca_file = config.ca_file;
  o.cert_file = config.cert_file;
  o.key_file = config.key_file;
  o.verify = config.tls_verify;
  o.username = config.username;
  const Password password = ReadPassword(config, std::getenv("CREDENTIALS_DIRECTORY"));
  if (!password.value.empty()) {
    if (config.username.empty()) {
      spdlog::warn("MQTT password from {} ignored: [mqtt] username is not set", password.source);
    } else {
      o.password = password.value;
      spdlog::info("MQTT password from {}", password.source);
    }
  }
  if (config.broker.tls && !config.tls_verify) {
    spdlog::warn("[mqtt] verify = false: the broker's certificate is not checked");
  }

  const transport::SensorInfo info = SensorInfoFrom(config);
  o.retained.push_back({config.topic_base() + "/info", transport::EncodeInfo(info), false});
  if (config.ha_enabled) {
    for (auto& m : transport::HomeAssistantDiscovery(info)) o.retained.push_back(std::move(m));
    o.ha_status_topic = config.ha_prefix + "/status";
  }
  o.encode_buffer_report = [info](const transport::BufferReport& r) {
    return transport::EncodeBufferReport(info, r);
  };
  return o;
}

}  // namespace footfall::daemon
