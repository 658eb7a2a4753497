// Purpose: footfalld's configuration: one TOML file, every key with a default
// (the shipped config/footfall.toml documents each). Loading collects every
// error at once as "file:line:col: error: key: why"; an unknown key is only a
// warning, so a newer config still runs on an older daemon.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace footfall::daemon {

struct Config {
  // [sensor]
  std::string site = "site";
  std::string sensor_id = "sensor";
  // [capture]
  std::string source;        // "file:PATH" or "pcap:IFACE" (required)
  double speed = 0;          // file replay: 0 = as fast as possible, N = N x real time
  int snaplen = 2048;        // live capture
  int buffer_size_kib = 4096;
  bool immediate = true;
  // [hashing]
  std::string algorithm = "siphash24";  // or "blake2b"
  std::string rotate_at = "04:00";      // local time of day, "HH:MM"
  std::chrono::seconds rotate_every{0}; // if > 0: rotate every period instead (600 s .. 7 d)
  // [windows]
  std::chrono::seconds window_length{60};  // 1 s .. 1 day
  // [mqtt]
  std::string mqtt_uri = "tcp://127.0.0.1:1883";
  std::string topic_prefix = "footfall";
  int qos = 1;
  std::string client_id;  // default: footfall-<site>-<sensor>
  int max_buffered = 100000;
  std::chrono::seconds drain_timeout{30};  // at the end of a file / at shutdown
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
