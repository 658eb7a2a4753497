// Purpose: turns footfalld's configuration into the MQTT publisher's options:
// the on-disk journal under [state] dir, TLS, the user name and the password
// (from the systemd credential "mqtt-password" if present, else from
// [mqtt] password_file; never from the command line), the MQTT version and
// message expiry, and the retained info and Home Assistant discovery messages.
#pragma once

#include <string>

#include "daemon/config.h"
#include "transport/announcements.h"
#include "transport/mqtt_publisher.h"

namespace footfall::daemon {

// The name of the systemd credential holding the MQTT password.
inline constexpr const char* kPasswordCredential = "mqtt-password";

transport::SensorInfo SensorInfoFrom(const Config& config);

// Throws std::runtime_error if a configured password cannot be read.
transport::MqttOptions MqttOptionsFrom(const Config& config);

// The password and where it came from ("credential ..." or "file ..."); an
// empty password if none is configured. `credentials_dir` is the value of
// $CREDENTIALS_DIRECTORY, or nullptr. The password is the file's first line.
struct Password {
  std::string value;  // a secret: never log it
  std::string source;
};
Password ReadPassword(const Config& config, const char* credentials_dir);

}  // namespace footfall::daemon
