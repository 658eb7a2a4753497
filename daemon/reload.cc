// Purpose: PlanReload (see reload.h): one table of every configuration key,
// each either applied live or kept until a restart.
#include "daemon/reload.h"

#include <functional>

namespace footfall::daemon {
namespace {

struct Key {
  const char* name;
  bool live;
  // Whether the two configs differ in this key.
  std::function<bool(const Config&, const Config&)> differs;
  // Copies this key from `from` into `to` (live keys only).
  std::function<void(Config& to, const Config& from)> copy;
};

template <typename T>
Key MakeKey(const char* name, bool live, T Config::*field) {
  return Key{name, live,
             [field](const Config& a, const Config& b) { return !(a.*field == b.*field); },
             [field](Config& to, const Config& from) { to.*field = from.*field; }};
}

// A key of [analytics] (Config::people). None is live: the open visits were
// built under the running settings, so they change only at a restart.
template <typename T>
Key PeopleKey(const char* name, T analytics::PeopleOptions::*field) {
  return Key{
      name, false,
      [field](const Config& a, const Config& b) { return !(a.people.*field == b.people.*field); },
      [field](Config& to, const Config& from) { to.people.*field = from.people.*field; }};
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      MakeKey("sensor.site", false, &Config::site),
      MakeKey("sensor.id", false, &Config::sensor_id),
      MakeKey("capture.sources", false, &Config::sources),
      MakeKey("capture.speed", false, &Config::speed),
      MakeKey("capture.snaplen", false, &Config::snaplen),
      MakeKey("capture.buffer_size_kib", false, &Config::buffer_size_kib),
      MakeKey("capture.immediate", false, &Config::immediate),
      MakeKey("capture.stats_interval_s", false, &Config::stats_interval),
      MakeKey("hashing.algorithm", false, &Config::algorithm),
      MakeKey("hashing.rotate_at", false, &Config::rotate_at),
      MakeKey("hashing.rotate_every_s", false, &Config::rotate_every),
      MakeKey("hashing.carry_over_max_s", false, &Config::carry_over_max),
      MakeKey("hashing.shared_seed_file", false, &Config::shared_seed_file),
      MakeKey("privacy.min_count", true, &Config::min_count),
      MakeKey("privacy.min_rssi_dbm", true, &Config::min_rssi_dbm),
      MakeKey("privacy.noise", false, &Config::noise),
      MakeKey("privacy.epsilon", false, &Config::noise_epsilon),
      MakeKey("process.user", false, &Config::user),
      MakeKey("windows.length_s", false, &Config::window_length),
      PeopleKey("analytics.visit_gap_s", &analytics::PeopleOptions::visit_gap),
      PeopleKey("analytics.visitor_rssi_dbm", &analytics::PeopleOptions::visitor_rssi_dbm),
      PeopleKey("analytics.min_visit_s", &analytics::PeopleOptions::min_visit),
      PeopleKey("analytics.stationary_after_s", &analytics::PeopleOptions::stationary_after),
      MakeKey("mqtt.uri", false, &Config::mqtt_uri),
      MakeKey("mqtt.topic_prefix", false, &Config::topic_prefix),
      MakeKey("mqtt.qos", false, &Config::qos),
      MakeKey("mqtt.client_id", false, &Config::client_id),
      MakeKey("mqtt.max_buffered", false, &Config::max_buffered),
      MakeKey("mqtt.drain_timeout_s", true, &Config::drain_timeout),
      MakeKey("mqtt.version", false, &Config::mqtt_version),
      MakeKey("mqtt.message_expiry_s", false, &Config::message_expiry),
      MakeKey("mqtt.ca_file", false, &Config::ca_file),
      MakeKey("mqtt.cert_file", false, &Config::cert_file),
      MakeKey("mqtt.key_file", false, &Config::key_file),
      MakeKey("mqtt.verify", false, &Config::tls_verify),
      MakeKey("mqtt.username", false, &Config::username),
      MakeKey("mqtt.password_file", false, &Config::password_file),
      MakeKey("homeassistant.enabled", false, &Config::ha_enabled),
      MakeKey("homeassistant.prefix", false, &Config::ha_prefix),
      MakeKey("metrics.listen", true, &Config::metrics_listen),
      MakeKey("metrics.allow_remote", true, &Config::metrics_allow_remote),
      MakeKey("state.dir", false, &Config::state_dir),
      MakeKey("log.level", true, &Config::log_level),
  };
  return keys;
}

}  // namespace

ReloadPlan PlanReload(const Config& running, const Config& loaded) {
  ReloadPlan plan;
  plan.next = running;
  for (const Key& key : Keys()) {
    if (!key.differs(running, loaded)) continue;
    if (key.live) {
      key.copy(plan.next, loaded);
      plan.applied.emplace_back(key.name);
    } else {
      plan.needs_restart.emplace_back(key.name);
    }
  }
  return plan;
}

}  // namespace footfall::daemon
