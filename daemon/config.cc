// Purpose: loads and validates footfalld's TOML configuration (toml++ 3.3).
// Every problem is collected, not only the first, each as
// "file:line:col: error: table.key: why" so a store's IT person can fix the
// whole file in one go; unknown keys and tables are warnings only.
#include "daemon/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "daemon/listen_address.h"

namespace footfall::daemon {

std::string Config::effective_client_id() const {
  if (!client_id.empty()) return client_id;
  return "footfall-" + site + "-" + sensor_id;
}

namespace {

struct Position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

Position PositionOf(const toml::source_region& region) {
  Position p;
  if (region.begin.line > 0) p.line = region.begin.line;
  if (region.begin.column > 0) p.column = region.begin.column;
  return p;
}

const char* TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "HH:MM", 00:00 .. 23:59.
bool IsTimeOfDay(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return false;
  if (!IsDigits(s.substr(0, 2)) || !IsDigits(s.substr(3, 2))) return false;
  const int hh = (s[0] - '0') * 10 + (s[1] - '0');
  const int mm = (s[3] - '0') * 10 + (s[4] - '0');
  return hh <= 23 && mm <= 59;
}

// Returns an empty string if `uri` is acceptable, else why not.
std::string CheckMqttUri(std::string_view uri) {
  static constexpr std::string_view kSchemes[] = {"tcp://",   "ssl://", "mqtt://",
                                                  "mqtts://", "ws://",  "wss://"};
  std::string_view scheme;
  for (std::string_view s : kSchemes) {
    if (uri.substr(0, s.size()) == s) {
      scheme = s;
      break;
    }
  }
  if (scheme.empty()) {
    return "must start with tcp://, ssl://, mqtt://, mqtts://, ws:// or wss:// (got \"" +
           std::string(uri) + "\")";
  }
  std::string_view rest = uri.substr(scheme.size());
  const bool websocket = scheme == "ws://" || scheme == "wss://";
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (!websocket) return "only ws:// and wss:// URIs may have a path";
    rest = rest.substr(0, slash);
  }
  std::string_view host;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return "unterminated [IPv6 address]";
    host = rest.substr(1, close - 1);
    if (rest.substr(close + 1, 1) != ":") return "must be scheme://host:port (port missing)";
    port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return "must be scheme://host:port (port missing)";
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return "must be scheme://host:port (host missing)";
  for (char c : host) {
    if (c == ' ' || c == '\t' || c == '@' || c == '/') {
      return "host \"" + std::string(host) + "\" is not a valid host name or address";
    }
  }
  if (!IsDigits(port) || port.size() > 5 || std::stoi(std::string(port)) < 1 ||
      std::stoi(std::string(port)) > 65535) {
    return "port \"" + std::string(port) + "\" must be a number from 1 to 65535";
  }
  return "";
}

std::string CheckTopicPrefix(std::string_view p) {
  if (p.empty()) return "must not be empty";
  if (p.find_first_of("+#") != std::string_view::npos) {
    return "must not contain the MQTT wildcards '+' or '#'";
  }
  if (p.front() == '/' || p.back() == '/') return "must not start or end with '/'";
  if (p.find("//") != std::string_view::npos) return "must not contain an empty level (\"//\")";
  if (p.find('\0') != std::string_view::npos) return "must not contain a NUL character";
  return "";
}

// Parses and validates one document, collecting problems into `result`.
class Loader final {
 public:
  Loader(std::string name, std::filesystem::path base_dir, ConfigResult& result)
      : name_(std::move(name)), base_dir_(std::move(base_dir)), result_(result) {}

  void Run(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, std::string_view{name_});
    } catch (const toml::parse_error& e) {
      const Position p = PositionOf(e.source());
      errors_.push_back({p, Prefix(p, "error") + "TOML syntax: " + std::string(e.description())});
      return;
    }
    CheckTables(root);
    Sensor(root);
    Capture(root);
    Hashing(root);
    Windows(root);
    Analytics(root);
    Mqtt(root);
    MqttSecurity(root);
    HomeAssistant(root);
    Metrics(root);
    State(root);
    Log(root);
    Privacy(root);
    Process(root);
  }

  // Hands the problems over in file order.
  void Finish() {
    const auto by_position = [](const Problem& a, const Problem& b) {
      return a.where.line != b.where.line ? a.where.line < b.where.line
                                          : a.where.column < b.where.column;
    };
    for (auto* list : {&errors_, &warnings_}) {
      std::stable_sort(list->begin(), list->end(), by_position);
    }
    for (const Problem& p : errors_) result_.errors.push_back(p.text);
    for (const Problem& p : warnings_) result_.warnings.push_back(p.text);
  }

 private:
  std::string Prefix(Position p, const char* severity) const {
    return name_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + severity +
           ": ";
  }
  void Error(Position p, const std::string& key, const std::string& why) {
    errors_.push_back({p, Prefix(p, "error") + key + ": " + why});
  }
  void Error(const toml::node& node, const std::string& key, const std::string& why) {
    Error(PositionOf(node.source()), key, why);
  }
  void Warning(Position p, const std::string& key, const std::string& why) {
    warnings_.push_back({p, Prefix(p, "warning") + key + ": " + why});
  }

  // Warns about unknown top-level entries and unknown keys of known tables;
  // a known table given as something else is an error.
  void CheckTables(const toml::table& root) {
    static const std::map<std::string, std::set<std::string>> kKnown = {
        {"sensor", {"site", "id"}},
        {"capture",
         {"source", "sources", "speed", "snaplen", "buffer_size_kib", "immediate",
          "stats_interval_s"}},
        {"hashing",
         {"algorithm", "rotate_at", "rotate_every_s", "carry_over_max_s", "shared_seed_file"}},
        {"privacy", {"min_count", "min_rssi_dbm"}},
        {"process", {"user"}},
        {"windows", {"length_s"}},
        {"analytics",
         {"visit_gap_s", "visitor_rssi_dbm", "min_visit_s", "stationary_after_s",
          "inside_rssi_dbm"}},
        {"mqtt",
         {"uri", "topic_prefix", "qos", "client_id", "max_buffered", "drain_timeout_s", "version",
          "message_expiry_s", "ca_file", "cert_file", "key_file", "verify", "username",
          "password_file"}},
        {"homeassistant", {"enabled", "prefix"}},
        {"metrics", {"listen", "allow_remote"}},
        {"state", {"dir"}},
        {"log", {"level"}},
    };
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      auto known = kKnown.find(name);
      if (known == kKnown.end()) {
        Warning(PositionOf(key.source()), name, "unknown key (ignored)");
        continue;
      }
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        Error(node, name, std::string("expected a table, got ") + TypeName(node.type()));
        continue;
      }
      for (auto&& [sub, sub_node] : *table) {
        const std::string sub_name(sub.str());
        if (known->second.count(sub_name) == 0) {
          Warning(PositionOf(sub.source()), name + "." + sub_name, "unknown key (ignored)");
        }
      }
    }
  }

  // The node at table.key, or nullptr if absent (or the table is not a table,
  // which CheckTables reported).
  static const toml::node* Find(const toml::table& root, const char* table, const char* key) {
    const toml::table* t = root[table].as_table();
    if (t == nullptr) return nullptr;
    return t->get(key);
  }

  static std::string Dotted(const char* table, const char* key) {
    return std::string(table) + "." + key;
  }

  // Typed getters: return false (after reporting) on a wrong type; leave `out`
  // untouched when the key is absent.
  bool GetString(const toml::table& root, const char* table, const char* key, std::string& out,
                 const toml::node** where = nullptr) {
    const toml::node* node = Find(root, table, key);
    if (node == nullptr) return false;
    if (where != nullptr) *where = node;
    if (const auto* v = node->as_string()) {
      out = v->get();
      return true;
    }
    Error(*node, Dotted(table, key),
          std::string("expected a string, got ") + TypeName(node->type()));
    return false;
  }

  bool GetBool(const toml::table& root, const char* table, const char* key, bool& out) {
    const toml::node* node = Find(root, table, key);
    if (node == nullptr) return false;
    if (const auto* v = node->as_boolean()) {
      out = v->get();
      return true;
    }
    Error(*node, Dotted(table, key),
          std::string("expected a boolean (true or false), got ") + TypeName(node->type()));
    return false;
  }

  // An integer in [lo, hi] (or exactly `also`, if given).
  bool GetInt(const toml::table& root, const char* table, const char* key, std::int64_t lo,
              std::int64_t hi, std::int64_t& out, const char* unit = "",
              const std::int64_t* also = nullptr) {
    const toml::node* node = Find(root, table, key);
    if (node == nullptr) return false;
    const auto* v = node->as_integer();
    if (v == nullptr) {
      Error(*node, Dotted(table, key),
            std::string("expected an integer, got ") + TypeName(node->type()));
      return false;
    }
    const std::int64_t value = v->get();
    if ((value < lo || value > hi) && (also == nullptr || value != *also)) {
      std::string range = std::to_string(lo) + " to " + std::to_string(hi) + unit;
      if (also != nullptr) range = std::to_string(*also) + ", or " + range;
      Error(*node, Dotted(table, key), "must be " + range + " (got " + std::to_string(value) + ")");
      return false;
    }
    out = value;
    return true;
  }

  void Sensor(const toml::table& root) {
    Config& c = result_.config;
    const toml::node* where = nullptr;
    std::string s;
    if (GetString(root, "sensor", "site", s, &where)) {
      if (IsIdentifier(s)) {
        c.site = s;
      } else {
        Error(*where, "sensor.site",
              "must be letters, digits, '_' or '-' only (it is an MQTT topic level and a "
              "Home Assistant id; got \"" +
                  s + "\")");
      }
    }
    if (GetString(root, "sensor", "id", s, &where)) {
      if (IsIdentifier(s)) {
        c.sensor_id = s;
      } else {
        Error(*where, "sensor.id",
              "must be letters, digits, '_' or '-' only (it is an MQTT topic level and a "
              "Home Assistant id; got \"" +
                  s + "\")");
      }
    }
  }

  // One capture source, checked and normalized ("file:" paths made absolute);
  // nullopt after reporting a problem under `key`.
  std::optional<std::string> CheckSource(const toml::node& where, const std::string& key,
                                         const std::string& s) {
    if (s.rfind("file:", 0) == 0 && s.size() > 5) {
      std::filesystem::path file(s.substr(5));
      if (file.is_relative() && !base_dir_.empty()) file = base_dir_ / file;
      return "file:" + file.lexically_normal().string();
    }
    if (s.rfind("pcap:", 0) == 0 && s.size() > 5) {
      const std::string iface = s.substr(5);
      if (iface.size() > 15 || iface.find_first_of("/ \t:") != std::string::npos) {
        Error(where, key,
              "\"" + iface +
                  "\" is not a network interface name (at most 15 characters, "
                  "no '/', ':' or spaces)");
        return std::nullopt;
      }
      return s;
    }
    Error(where, key,
          "must be \"file:PATH\" (a pcap/pcapng file) or \"pcap:IFACE\" (a monitor-mode "
          "interface), got \"" +
              s + "\"");
    return std::nullopt;
  }

  // sources = ["pcap:mon0", "pcap:mon1"]: live interfaces, each once; a file
  // only alone.
  void Sources(const toml::node& node) {
    const toml::array* list = node.as_array();
    if (list == nullptr) {
      Error(node, "capture.sources",
            std::string("expected an array of strings, got ") + TypeName(node.type()));
      return;
    }
    if (list->empty()) {
      Error(node, "capture.sources", "must list at least one source");
      return;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (const toml::node& item : *list) {
      const auto* str = item.as_string();
      if (str == nullptr) {
        Error(item, "capture.sources",
              std::string("expected a string, got ") + TypeName(item.type()));
        ok = false;
        continue;
      }
      std::optional<std::string> spec = CheckSource(item, "capture.sources", str->get());
      if (!spec) {
        ok = false;
      } else if (std::find(out.begin(), out.end(), *spec) != out.end()) {
        Error(item, "capture.sources", "\"" + *spec + "\" is listed twice");
        ok = false;
      } else if (list->size() > 1 && spec->rfind("file:", 0) == 0) {
        Error(item, "capture.sources",
              "a file (\"" + *spec +
                  "\") is replayed on its own; only live sources (\"pcap:IFACE\") can be "
                  "combined");
        ok = false;
      } else {
        out.push_back(*spec);
      }
    }
    if (ok) result_.config.sources = std::move(out);
  }

  void Capture(const toml::table& root) {
    Config& c = result_.config;
    const toml::node* where = nullptr;
    std::string s;
    const toml::node* list = Find(root, "capture", "sources");
    if (GetString(root, "capture", "source", s, &where)) {
      if (list != nullptr) {
        Error(*list, "capture.sources",
              "give either source or sources, not both (source = \"X\" is short for "
              "sources = [\"X\"])");
      } else if (std::optional<std::string> spec = CheckSource(*where, "capture.source", s)) {
        c.sources = {*spec};
      }
    } else if (list != nullptr) {
      if (where == nullptr) Sources(*list);
    } else if (where == nullptr) {
      const toml::node* table = root.get("capture");
      const Position p = table != nullptr ? PositionOf(table->source()) : Position{};
      Error(p, "capture.source",
            "required key is missing (e.g. source = \"pcap:mon0\" or \"file:/path/to.pcap\")");
    }

    if (const toml::node* node = Find(root, "capture", "speed")) {
      std::optional<double> speed;
      if (const auto* f = node->as_floating_point()) speed = f->get();
      if (const auto* i = node->as_integer()) speed = static_cast<double>(i->get());
      if (!speed) {
        Error(*node, "capture.speed",
              std::string("expected a number, got ") + TypeName(node->type()));
      } else if (!std::isfinite(*speed) || *speed < 0) {
        Error(*node, "capture.speed",
              "must be 0 (as fast as possible) or a positive, finite factor");
      } else {
        c.speed = *speed;
      }
    }
    std::int64_t n = 0;
    if (GetInt(root, "capture", "snaplen", 64, 262144, n, " bytes"))
      c.snaplen = static_cast<int>(n);
    if (GetInt(root, "capture", "buffer_size_kib", 64, 1048576, n, " KiB")) {
      c.buffer_size_kib = static_cast<int>(n);
    }
    GetBool(root, "capture", "immediate", c.immediate);
    if (GetInt(root, "capture", "stats_interval_s", 1, 3600, n, " seconds")) {
      c.stats_interval = std::chrono::seconds(n);
    }
  }

  void Hashing(const toml::table& root) {
    Config& c = result_.config;
    const toml::node* where = nullptr;
    std::string s;
    if (GetString(root, "hashing", "algorithm", s, &where)) {
      if (s == "siphash24" || s == "blake2b") {
        c.algorithm = s;
      } else {
        Error(*where, "hashing.algorithm",
              "must be \"siphash24\" or \"blake2b\" (got \"" + s + "\")");
      }
    }
    if (GetString(root, "hashing", "rotate_at", s, &where)) {
      if (IsTimeOfDay(s)) {
        c.rotate_at = s;
      } else {
        Error(*where, "hashing.rotate_at",
              "must be a local time of day \"HH:MM\" from 00:00 to 23:59 (got \"" + s + "\")");
      }
    }
    std::int64_t n = 0;
    const std::int64_t off = 0;
    if (GetInt(root, "hashing", "rotate_every_s", 600, 604800, n, " seconds", &off)) {
      c.rotate_every = std::chrono::seconds(n);
    }
    if (GetInt(root, "hashing", "carry_over_max_s", 0, 3600, n, " seconds")) {
      if (c.rotate_every.count() > 0 && n >= c.rotate_every.count()) {
        Error(*Find(root, "hashing", "carry_over_max_s"), "hashing.carry_over_max_s",
              "must be less than rotate_every_s (" + std::to_string(c.rotate_every.count()) +
                  "), or the retired key would never be wiped (got " + std::to_string(n) + ")");
      } else {
        c.carry_over_max = std::chrono::seconds(n);
      }
    }
    if (GetString(root, "hashing", "shared_seed_file", s, &where) && !s.empty()) {
      std::filesystem::path file(s);
      if (file.is_relative() && !base_dir_.empty()) file = base_dir_ / file;
      c.shared_seed_file = file.lexically_normal().string();
    }
  }

  void Privacy(const toml::table& root) {
    Config& c = result_.config;
    std::int64_t n = 0;
    if (GetInt(root, "privacy", "min_count", 0, 1000, n, " devices")) {
      c.min_count = static_cast<std::uint64_t>(n);
    }
    if (GetInt(root, "privacy", "min_rssi_dbm", -127, 0, n, " dBm")) {
      c.min_rssi_dbm = static_cast<int>(n);
    }
  }

  void Process(const toml::table& root) {
    const toml::node* where = nullptr;
    std::string s;
    if (!GetString(root, "process", "user", s, &where) || s.empty()) return;
    bool name_ok = s.size() <= 32 && s.front() != '-';
    for (char ch : s) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
      if (!ok) name_ok = false;
    }
    if (!name_ok) {
      Error(*where, "process.user", "\"" + s + "\" is not a user name");
    } else if (s == "root") {
      Error(*where, "process.user", "must not be root (leave it empty to keep the user)");
    } else {
      result_.config.user = s;  // its existence is checked at start-up
    }
  }

  void Windows(const toml::table& root) {
    std::int64_t n = 0;
    if (GetInt(root, "windows", "length_s", 1, 86400, n, " seconds")) {
      result_.config.window_length = std::chrono::seconds(n);
    }
  }

  void Analytics(const toml::table& root) {
    analytics::PeopleOptions& o = result_.config.people;
    std::int64_t n = 0;
    if (GetInt(root, "analytics", "visit_gap_s", 60, 3600, n, " seconds")) {
      o.visit_gap = std::chrono::seconds(n);
    }
    if (GetInt(root, "analytics", "visitor_rssi_dbm", -100, 0, n, " dBm")) {
      o.visitor_rssi_dbm = static_cast<int>(n);
    }
    if (GetInt(root, "analytics", "inside_rssi_dbm", -100, 0, n, " dBm")) {
      o.inside_rssi_dbm = static_cast<int>(n);
    }
    const bool min_visit = GetInt(root, "analytics", "min_visit_s", 0, 86400, n, " seconds");
    if (min_visit) o.min_visit = std::chrono::seconds(n);
    const bool stationary =
        GetInt(root, "analytics", "stationary_after_s", 600, 86400, n, " seconds");
    if (stationary) o.stationary_after = std::chrono::seconds(n);
    if ((min_visit || stationary) && o.stationary_after <= o.min_visit) {
      // Named at the key that was set (stationary_after_s if both were).
      // A visit that lasted min_visit_s would already be stationary.
      const std::string why = ", or no visit could count as a visitor's";
      if (stationary) {
        Error(*Find(root, "analytics", "stationary_after_s"), "analytics.stationary_after_s",
              "must be greater than min_visit_s (" + std::to_string(o.min_visit.count()) + ")" +
                  why + " (got " + std::to_string(o.stationary_after.count()) + ")");
      } else {
        Error(*Find(root, "analytics", "min_visit_s"), "analytics.min_visit_s",
              "must be less than stationary_after_s (" +
                  std::to_string(o.stationary_after.count()) + ")" + why + " (got " +
                  std::to_string(o.min_visit.count()) + ")");
      }
      const analytics::PeopleOptions defaults;
      o.min_visit = defaults.min_visit;
      o.stationary_after = defaults.stationary_after;
    }
  }

  void Mqtt(const toml::table& root) {
    Config& c = result_.config;
    const toml::node* where = nullptr;
    std::string s;
    if (GetString(root, "mqtt", "uri", s, &where)) {
      const std::string why = CheckMqttUri(s);
      if (why.empty()) {
        c.mqtt_uri = s;
      } else {
        Error(*where, "mqtt.uri", why);
      }
    }
    if (GetString(root, "mqtt", "topic_prefix", s, &where)) {
      const std::string why = CheckTopicPrefix(s);
      if (why.empty()) {
        c.topic_prefix = s;
      } else {
        Error(*where, "mqtt.topic_prefix", why + " (got \"" + s + "\")");
      }
    }
    std::int64_t n = 0;
    if (GetInt(root, "mqtt", "qos", 0, 2, n)) c.qos = static_cast<int>(n);
    if (GetString(root, "mqtt", "client_id", s, &where)) {
      if (s.size() > 65535) {
        Error(*where, "mqtt.client_id", "must be at most 65535 bytes");
      } else if (s.find('\0') != std::string::npos) {
        Error(*where, "mqtt.client_id", "must not contain a NUL character");
      } else {
        c.client_id = s;  // empty: derived, footfall-<site>-<id>
      }
    }
    if (GetInt(root, "mqtt", "max_buffered", 1, 10000000, n, " messages")) {
      c.max_buffered = static_cast<int>(n);
    }
    if (GetInt(root, "mqtt", "drain_timeout_s", 0, 3600, n, " seconds")) {
      c.drain_timeout = std::chrono::seconds(n);
    }
  }

  // A file path (relative to the config's directory) that must be readable.
  bool GetReadableFile(const toml::table& root, const char* table, const char* key,
                       std::string& out) {
    const toml::node* where = nullptr;
    std::string s;
    if (!GetString(root, table, key, s, &where)) return false;
    if (s.empty()) {
      Error(*where, Dotted(table, key), "must not be empty (leave the key out instead)");
      return false;
    }
    std::filesystem::path file(s);
    if (file.is_relative() && !base_dir_.empty()) file = base_dir_ / file;
    const std::string path = file.lexically_normal().string();
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
      Error(*where, Dotted(table, key), "cannot read \"" + path + "\"");
      return false;
    }
    out = path;
    return true;
  }

  void MqttSecurity(const toml::table& root) {
    Config& c = result_.config;
    const toml::node* where = nullptr;
    if (const toml::node* node = Find(root, "mqtt", "version")) {
      std::string v;
      if (const auto* i = node->as_integer()) v = std::to_string(i->get());
      if (const auto* str = node->as_string()) v = str->get();
      if (v == "5") {
        c.mqtt_version = 5;
      } else if (v == "3.1.1") {
        c.mqtt_version = 4;
      } else {
        Error(*node, "mqtt.version", "must be 5 or \"3.1.1\"");
      }
    }
    std::int64_t n = 0;
    if (GetInt(root, "mqtt", "message_expiry_s", 0, 2147483647, n, " seconds")) {
      c.message_expiry = std::chrono::seconds(n);
      if (n > 0 && c.mqtt_version != 5) {
        Error(*Find(root, "mqtt", "message_expiry_s"), "mqtt.message_expiry_s",
              "needs MQTT 5 (version = 5); MQTT 3.1.1 has no message expiry");
      }
    }
    const bool tls = c.mqtt_uri.rfind("ssl://", 0) == 0 || c.mqtt_uri.rfind("mqtts://", 0) == 0 ||
                     c.mqtt_uri.rfind("wss://", 0) == 0;
    for (auto [key, out] : {std::pair<const char*, std::string*>{"ca_file", &c.ca_file},
                            {"cert_file", &c.cert_file},
                            {"key_file", &c.key_file}}) {
      if (GetReadableFile(root, "mqtt", key, *out) && !tls) {
        Error(*Find(root, "mqtt", key), Dotted("mqtt", key),
              "needs a TLS broker URI (ssl://, mqtts:// or wss://), but uri is \"" + c.mqtt_uri +
                  "\"");
      }
    }
    if (!c.key_file.empty() && c.cert_file.empty()) {
      Error(*Find(root, "mqtt", "key_file"), "mqtt.key_file", "needs cert_file");
    }
    GetBool(root, "mqtt", "verify", c.tls_verify);
    std::string s;
    if (GetString(root, "mqtt", "username", s, &where)) {
      if (s.size() > 65535 || s.find('\0') != std::string::npos) {
        Error(*where, "mqtt.username", "must be at most 65535 bytes, without NUL");
      } else {
        c.username = s;
      }
    }
    if (GetReadableFile(root, "mqtt", "password_file", c.password_file) && c.username.empty()) {
      Error(*Find(root, "mqtt", "password_file"), "mqtt.password_file",
            "needs username (MQTT sends a password only with a user name)");
    }
  }

  void HomeAssistant(const toml::table& root) {
    Config& c = result_.config;
    GetBool(root, "homeassistant", "enabled", c.ha_enabled);
    const toml::node* where = nullptr;
    std::string s;
    if (GetString(root, "homeassistant", "prefix", s, &where)) {
      const std::string why = CheckTopicPrefix(s);
      if (why.empty()) {
        c.ha_prefix = s;
      } else {
        Error(*where, "homeassistant.prefix", why + " (got \"" + s + "\")");
      }
    }
  }

  void Metrics(const toml::table& root) {
    Config& c = result_.config;
    GetBool(root, "metrics", "allow_remote", c.metrics_allow_remote);
    const toml::node* where = nullptr;
    std::string s;
    if (!GetString(root, "metrics", "listen", s, &where) || s.empty()) return;
    std::string why;
    const auto address = ParseListenAddress(s, &why);
    if (!address) {
      Error(*where, "metrics.listen", why + " (got \"" + s + "\")");
    } else if (!address->loopback && !c.metrics_allow_remote) {
      Error(*where, "metrics.listen",
            "\"" + address->address +
                "\" is not a loopback address; the metrics would be readable from other hosts. "
                "Use 127.0.0.1, or set [metrics] allow_remote = true");
    } else {
      c.metrics_listen = s;
    }
  }

  void State(const toml::table& root) {
    const toml::node* where = nullptr;
    std::string s;
    if (GetString(root, "state", "dir", s, &where)) {
      if (s.empty()) {
        Error(*where, "state.dir", "must not be empty");
      } else {
        std::filesystem::path dir(s);
        if (dir.is_relative() && !base_dir_.empty()) dir = base_dir_ / dir;
        result_.config.state_dir = dir.lexically_normal().string();
      }
    }
  }

  void Log(const toml::table& root) {
    static const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                  "error", "critical", "off"};
    const toml::node* where = nullptr;
    std::string s;
    if (GetString(root, "log", "level", s, &where)) {
      if (kLevels.count(s) != 0) {
        result_.config.log_level = s;
      } else {
        Error(*where, "log.level",
              "must be one of trace, debug, info, warn, error, critical, off (got \"" + s + "\")");
      }
    }
  }

  struct Problem {
    Position where;
    std::string text;
  };

  std::string name_;
  std::filesystem::path base_dir_;
  ConfigResult& result_;
  std::vector<Problem> errors_;
  std::vector<Problem> warnings_;
};

ConfigResult Parse(const std::string& text, const std::string& name,
                   const std::filesystem::path& base_dir) {
  ConfigResult result;
  Loader loader(name, base_dir, result);
  loader.Run(text);
  loader.Finish();
  return result;
}

}  // namespace

ConfigResult LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  int err = 0;
  if (in) {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) err = errno != 0 ? errno : EIO;
    text = buffer.str();
  } else {
    err = errno != 0 ? errno : ENOENT;
  }
  // A directory opens as an ifstream on Linux but cannot be read.
  std::error_code ec;
  if (err == 0 && std::filesystem::is_directory(path, ec)) err = EISDIR;
  if (err != 0) {
    ConfigResult result;
    result.errors.push_back(path + ": error: cannot read config: " + std::strerror(err));
    return result;
  }
  std::filesystem::path base = std::filesystem::absolute(path, ec).parent_path();
  if (ec) base = std::filesystem::path(path).parent_path();
  return Parse(text, path, base);
}

ConfigResult ParseConfig(const std::string& text, const std::string& name) {
  return Parse(text, name, std::filesystem::path(name).parent_path());
}

}  // namespace footfall::daemon
