// Purpose: footfalld's configuration: one TOML file, every key with a default
// (the shipped config/footfall.toml documents each). Loading collects every
// error at once as "file:line:col: error: key: why"; an unknown key is only a
// warning, so a newer config still runs on an older daemon.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/people_estimator.h"

namespace footfall::daemon {

struct Config {
  // [sensor]
  std::string site = "site";
  std::string sensor_id = "sensor";
  // [capture]
  // [capture] source = "X" or sources = ["X", ...] (one of them required):
  // "file:PATH" (alone) or one or more "pcap:IFACE".
  std::vector<std::string> sources;
  double speed = 0;          // file replay: 0 = as fast as possible, N = N x real time
  int snaplen = 2048;        // live capture
  int buffer_size_kib = 4096;
  bool immediate = true;
  std::chrono::seconds stats_interval{10};  // live: pcap_stats read (drops logged) this often
  // [hashing]
  std::string algorithm = "siphash24";  // or "blake2b"
  std::string rotate_at = "04:00";      // local time of day, "HH:MM"
  std::chrono::seconds rotate_every{0}; // if > 0: rotate every period instead (600 s .. 7 d)
  std::chrono::seconds carry_over_max{0};  // keep the retired key this long (0 .. 3600 s)
  std::string shared_seed_file;            // shared-key mode (site seed); "" = off
  // [privacy]
  std::uint64_t min_count = 3;      // device counts 1 .. min_count-1 published as null; 0 = off
  std::optional<int> min_rssi_dbm;  // drop weaker probe requests before hashing; unset = off
  std::string noise = "off";        // "laplace": discrete Laplace noise on every count
  double noise_epsilon = 1.0;       // noise mode: privacy loss per window (0.001 .. 100)
  // [process]
  std::string user;  // started as root: drop to this user after opening the capture; "" = don't
  // [windows]
  std::chrono::seconds window_length{60};  // 1 s .. 1 day
  // [analytics] visit_gap_s (60 .. 3600), visitor_rssi_dbm (-100 .. 0),
  // min_visit_s (0 .. 86400), stationary_after_s (600 .. 86400, > min_visit_s)
  analytics::PeopleOptions people;
  // [mqtt]
  std::string mqtt_uri = "tcp://127.0.0.1:1883";
  std::string topic_prefix = "footfall";
  int qos = 1;
  std::string client_id;  // default: footfall-<site>-<sensor>
  int max_buffered = 100000;
  std::chrono::seconds drain_timeout{30};  // at the end of a file / at shutdown
  int mqtt_version = 4;                    // 4 = MQTT 3.1.1 (the default), 5 = MQTT 5
  std::chrono::seconds message_expiry{0};  // MQTT 5 only; 0 = none
  std::string ca_file;                     // TLS; empty = the system's CAs
  std::string cert_file;                   // TLS client certificate
  std::string key_file;                    // its key
  bool tls_verify = true;                  // verify the broker's certificate and name
  std::string username;
  std::string password_file;  // or the systemd credential "mqtt-password"
  // [homeassistant]
  bool ha_enabled = true;
  std::string ha_prefix = "homeassistant";
  // [metrics]
  std::string metrics_listen;         // "ADDRESS:PORT" of GET /metrics; empty = off
  bool metrics_allow_remote = false;  // a non-loopback listen address needs this
  // [state]
  std::string state_dir = "/var/lib/footfall";
  // [log]
  std::string log_level = "info";

  std::string topic_base() const { return topic_prefix + "/" + site + "/" + sensor_id; }
  std::string effective_client_id() const;
};

struct ConfigResult {
  Config config;
  std::vector<std::string> errors;    // "file:line:col: error: key: why"
  std::vector<std::string> warnings;  // "file:line:col: warning: key: unknown key"
  bool ok() const { return errors.empty(); }
};

// Reads and validates `path`. Never throws for bad input: problems are listed.
ConfigResult LoadConfig(const std::string& path);
// Same, from text (tests); `name` is used in messages in place of the path.
ConfigResult ParseConfig(const std::string& text, const std::string& name);

inline constexpr int kExitConfig = 78;  // EX_CONFIG

}  // namespace footfall::daemon
