// Purpose: footfalld's configuration: one TOML file, every key with a default
// (the shipped config/footfall.toml documents each). The keys themselves are
// one table, in config.cc (Settings() lists it): section, key, member, typed
// parser, reload behaviour and doc. Values are kept parsed (a rotation plan,
// an algorithm, a broker endpoint, a listen address, source specs), so
// nothing downstream parses a string again. Loading collects every error at
// once as "file:line:col: error: key: why"; an unknown key is only a warning,
// so a newer config still runs on an older daemon.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analytics/people_estimator.h"
#include "capture/source_spec.h"
#include "daemon/listen_address.h"
#include "hashing/pseudonymizer.h"
#include "hashing/rotation.h"
#include "transport/mqtt_endpoint.h"

namespace footfall::daemon {

// Each member is one row of the table in config.cc, which gives its key,
// range and doc; the comments here only say what the value means.
struct Config {
  // [sensor]
  std::string site = "site";
  std::string sensor_id = "sensor";
  // [capture] source = "X" or sources = ["X", ...] (one of them required)
  std::vector<capture::SourceSpec> sources;  // "file:" paths made absolute
  double speed = 0;  // file replay: 0 = as fast as possible, N = N x real time
  int snaplen = 2048;
  int buffer_size_kib = 4096;
  bool immediate = true;
  std::chrono::seconds stats_interval{10};
  // [hashing]
  hashing::Algorithm algorithm = hashing::Algorithm::kSipHash24;
  hashing::RotationPlan rotation;          // rotate_at / rotate_every_s
  std::chrono::seconds carry_over_max{0};  // keep the retired key this long
  std::string shared_seed_file;            // shared-key mode (site seed); "" = off
  // [privacy]
  std::uint64_t min_count = 3;      // device counts 1 .. min_count-1 published as null; 0 = off
  std::optional<int> min_rssi_dbm;  // drop weaker probe requests before hashing; unset = off
  std::string noise = "off";        // "laplace": discrete Laplace noise on every count
  double noise_epsilon = 1.0;       // noise mode: privacy loss per window (0.001 .. 100)
  // [process]
  std::string user;  // started as root: drop to this user after opening the capture; "" = don't
  // [windows]
  std::chrono::seconds window_length{60};
  // [analytics]
  analytics::PeopleOptions people;
  // [mqtt]
  transport::MqttEndpoint broker;  // uri
  std::string topic_prefix = "footfall";
  int qos = 1;
  std::string client_id;  // default: footfall-<site>-<sensor>
  int max_buffered = 100000;
  int max_memory_buffered = 10000;         // held in memory while the journal cannot be written
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
  std::optional<ListenAddress> metrics_listen;  // GET /metrics; unset = off
  bool metrics_allow_remote = false;            // a non-loopback listen address needs this
  std::string metrics_token_file;               // bearer token (else credential metrics-token)
  // [state]
  std::string state_dir = "/var/lib/footfall";
  // [log]
  std::string log_level = "info";

  std::string topic_base() const { return topic_prefix + "/" + site + "/" + sensor_id; }
  std::string effective_client_id() const;
};

// What a SIGHUP does with a changed value (reload.h).
enum class OnReload {
  kApplyLive,     // taken over by the running daemon
  kNeedsRestart,  // named as "needs a restart"; the running value is kept
  kAsOtherKey,    // another row of the same member reports it (capture.source -> sources)
};

// How the shipped config/footfall.toml shows the key (checked by a test).
enum class Shipped {
  kDefault,   // "key = <its default>", uncommented
  kExample,   // "# key = ..." (no default to show: derived, unset or optional)
  kRequired,  // "key = ..." with an example value
};

// One row of the settings table, without its parser (config.cc).
struct Setting {
  const char* section;
  const char* key;
  OnReload reload;
  Shipped shipped;
  const char* doc;  // one line
  std::function<bool(const Config&, const Config&)> differs;
  std::function<void(Config& to, const Config& from)> copy;
  std::string name() const { return std::string(section) + "." + key; }
};

// Every key footfalld knows, in the order of the shipped file.
const std::vector<Setting>& Settings();

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

}  // namespace footfall::daemon
