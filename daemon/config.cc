// Purpose: footfalld's settings table and the TOML loader driven by it
// (toml++ 3.3). Every problem is collected, not only the first, each as
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
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "daemon/secret_file.h"

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

// One document being loaded: where relative paths start, and the problems
// found so far, each at its position and under the key being read.
class Context final {
 public:
  Context(std::string name, std::filesystem::path base_dir, const toml::table& root)
      : name_(std::move(name)), base_dir_(std::move(base_dir)), root_(root) {}

  const toml::table& root() const { return root_; }
  // The node at section.key, or nullptr if absent (or the section is not a
  // table, which is reported once on its own).
  const toml::node* Find(const char* section, const char* key) const {
    const toml::table* t = root_[section].as_table();
    return t == nullptr ? nullptr : t->get(key);
  }
  // A path from the config, relative to the config file's directory.
  std::string Resolve(const std::string& path) const {
    std::filesystem::path p(path);
    if (p.is_relative() && !base_dir_.empty()) p = base_dir_ / p;
    return p.lexically_normal().string();
  }

  // The key parsers report under (set by the loader for each row).
  void SetKey(std::string key) { key_ = std::move(key); }
  // Reports `why` at `where` under the current key; returns "no value".
  std::nullopt_t Fail(const toml::node& where, const std::string& why) {
    Error(PositionOf(where.source()), key_, why);
    return std::nullopt;
  }
  void Error(Position p, const std::string& key, const std::string& why) {
    errors_.push_back({p, Prefix(p, "error") + key + ": " + why});
  }
  void Error(const toml::node& where, const std::string& key, const std::string& why) {
    Error(PositionOf(where.source()), key, why);
  }
  void Warning(Position p, const std::string& key, const std::string& why) {
    warnings_.push_back({p, Prefix(p, "warning") + key + ": " + why});
  }

  // Hands the problems over in file order.
  void Finish(ConfigResult& result) {
    const auto by_position = [](const Problem& a, const Problem& b) {
      return a.where.line != b.where.line ? a.where.line < b.where.line
                                          : a.where.column < b.where.column;
    };
    for (auto* list : {&errors_, &warnings_}) {
      std::stable_sort(list->begin(), list->end(), by_position);
    }
    for (const Problem& p : errors_) result.errors.push_back(p.text);
    for (const Problem& p : warnings_) result.warnings.push_back(p.text);
  }

 private:
  struct Problem {
    Position where;
    std::string text;
  };
  std::string Prefix(Position p, const char* severity) const {
    return name_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + severity +
           ": ";
  }

  std::string name_;
  std::filesystem::path base_dir_;
  const toml::table& root_;
  std::string key_;
  std::vector<Problem> errors_;
  std::vector<Problem> warnings_;
};

// ---------------------------------------------------------------------------
// Value parsers. Each is a callable (const toml::node&, Context&) ->
// std::optional<T>: the typed value, or nullopt after reporting why not.

std::optional<std::string> AsString(const toml::node& n, Context& c) {
  if (const auto* v = n.as_string()) return v->get();
  return c.Fail(n, std::string("expected a string, got ") + TypeName(n.type()));
}

// A string that `check` accepts (its error is the reason, reported as is).
template <typename Check>
auto Text(Check check) {
  return [check](const toml::node& n, Context& c) -> std::optional<std::string> {
    std::optional<std::string> s = AsString(n, c);
    if (!s) return std::nullopt;
    if (Status ok = check(*s); !ok) return c.Fail(n, ok.error());
    return s;
  };
}

// An MQTT topic level and a Home Assistant id.
auto Identifier() {
  return Text([](const std::string& s) -> Status {
    const bool ok = !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
             ch == '_' || ch == '-';
    });
    if (ok) return {};
    return Fail(
        "must be letters, digits, '_' or '-' only (it is an MQTT topic level and a Home "
        "Assistant id; got \"" +
        s + "\")");
  });
}

auto TopicPrefix() {
  return Text([](const std::string& p) -> Status {
    std::string why;
    if (p.empty()) {
      why = "must not be empty";
    } else if (p.find_first_of("+#") != std::string::npos) {
      why = "must not contain the MQTT wildcards '+' or '#'";
    } else if (p.front() == '/' || p.back() == '/') {
      why = "must not start or end with '/'";
    } else if (p.find("//") != std::string::npos) {
      why = "must not contain an empty level (\"//\")";
    } else if (p.find('\0') != std::string::npos) {
      why = "must not contain a NUL character";
    }
    if (why.empty()) return {};
    return Fail(why + " (got \"" + p + "\")");
  });
}

// One of `names` (shown in the error).
auto OneOf(std::vector<std::string> names) {
  return Text([names](const std::string& s) -> Status {
    if (std::find(names.begin(), names.end(), s) != names.end()) return {};
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Fail("must be one of " + list + " (got \"" + s + "\")");
  });
}

auto Bool() {
  return [](const toml::node& n, Context& c) -> std::optional<bool> {
    if (const auto* v = n.as_boolean()) return v->get();
    return c.Fail(n, std::string("expected a boolean (true or false), got ") + TypeName(n.type()));
  };
}

// An integer in [lo, hi] (or exactly `also`, if given), as T; `unit` follows
// the range in the error, e.g. " seconds".
template <typename T>
auto Int(std::int64_t lo, std::int64_t hi, const char* unit = "",
         std::optional<std::int64_t> also = std::nullopt) {
  return [=](const toml::node& n, Context& c) -> std::optional<T> {
    const auto* v = n.as_integer();
    if (v == nullptr) {
      return c.Fail(n, std::string("expected an integer, got ") + TypeName(n.type()));
    }
    const std::int64_t value = v->get();
    if ((value < lo || value > hi) && (!also || value != *also)) {
      std::string range = std::to_string(lo) + " to " + std::to_string(hi) + unit;
      if (also) range = std::to_string(*also) + ", or " + range;
      return c.Fail(n, "must be " + range + " (got " + std::to_string(value) + ")");
    }
    return static_cast<T>(value);
  };
}

auto Seconds(std::int64_t lo, std::int64_t hi, std::optional<std::int64_t> also = std::nullopt) {
  return [=](const toml::node& n, Context& c) -> std::optional<std::chrono::seconds> {
    std::optional<std::int64_t> s = Int<std::int64_t>(lo, hi, " seconds", also)(n, c);
    if (!s) return std::nullopt;
    return std::chrono::seconds(*s);
  };
}

// Adapts a parser of "T or error" from another library.
template <typename T, typename Parse>
auto Typed(Parse parse) {
  return [parse](const toml::node& n, Context& c) -> std::optional<T> {
    std::optional<std::string> s = AsString(n, c);
    if (!s) return std::nullopt;
    Result<T> r = parse(*s);
    if (!r) return c.Fail(n, r.error());
    return std::move(r).value();
  };
}

// A path, relative to the config's directory; "" stays "" (off).
auto Path() {
  return [](const toml::node& n, Context& c) -> std::optional<std::string> {
    std::optional<std::string> s = AsString(n, c);
    if (!s || s->empty()) return s;
    return c.Resolve(*s);
  };
}

auto NonEmptyPath() {
  return [](const toml::node& n, Context& c) -> std::optional<std::string> {
    std::optional<std::string> s = AsString(n, c);
    if (!s) return std::nullopt;
    if (s->empty()) return c.Fail(n, "must not be empty");
    return c.Resolve(*s);
  };
}

// A readable file that holds a secret: refused if group or others may read
// or write it (issue 15), like the seed file.
// A file path (relative to the config's directory) that must be readable.
auto ReadableFile() {
  return [](const toml::node& n, Context& c) -> std::optional<std::string> {
    std::optional<std::string> s = AsString(n, c);
    if (!s) return std::nullopt;
    if (s->empty()) return c.Fail(n, "must not be empty (leave the key out instead)");
    const std::string path = c.Resolve(*s);
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
      return c.Fail(n, "cannot read \"" + path + "\"");
    }
    return path;
  };
}

auto SecretFile() {
  return [](const toml::node& n, Context& c) -> std::optional<std::string> {
    std::optional<std::string> path = ReadableFile()(n, c);
    if (!path) return std::nullopt;
    if (const Status ok = CheckSecretFile(*path); !ok) {
      return c.Fail(n, "\"" + *path + "\": " + ok.error());
    }
    return path;
  };
}

// One source; a file's path made absolute.
std::optional<capture::SourceSpec> OneSource(const toml::node& n, Context& c) {
  std::optional<std::string> s = AsString(n, c);
  if (!s) return std::nullopt;
  Result<capture::SourceSpec> spec = capture::ParseSourceSpec(*s);
  if (!spec) return c.Fail(n, spec.error());
  if (spec->kind == capture::SourceSpec::Kind::kFile) spec->target = c.Resolve(spec->target);
  return *spec;
}

// source = "X": short for sources = ["X"] (the sources row reports both).
auto Source() {
  return [](const toml::node& n, Context& c) -> std::optional<std::vector<capture::SourceSpec>> {
    if (!AsString(n, c) || c.Find("capture", "sources") != nullptr) return std::nullopt;
    std::optional<capture::SourceSpec> spec = OneSource(n, c);
    if (!spec) return std::nullopt;
    return std::vector<capture::SourceSpec>{*spec};
  };
}

// sources = ["pcap:mon0", "pcap:mon1"]: live interfaces, each once; a file
// only alone (capture::CanJoin).
auto Sources() {
  return [](const toml::node& n, Context& c) -> std::optional<std::vector<capture::SourceSpec>> {
    if (c.Find("capture", "source") != nullptr) {
      return c.Fail(n,
                    "give either source or sources, not both (source = \"X\" is short for "
                    "sources = [\"X\"])");
    }
    const toml::array* list = n.as_array();
    if (list == nullptr) {
      return c.Fail(n, std::string("expected an array of strings, got ") + TypeName(n.type()));
    }
    if (list->empty()) return c.Fail(n, "must list at least one source");
    std::vector<capture::SourceSpec> out;
    bool ok = true;
    for (const toml::node& item : *list) {
      std::optional<capture::SourceSpec> spec = OneSource(item, c);
      if (!spec) {
        ok = false;
      } else if (Status fits = capture::CanJoin(out, *spec, list->size()); !fits) {
        c.Fail(item, fits.error());
        ok = false;
      } else {
        out.push_back(*spec);
      }
    }
    if (!ok) return std::nullopt;
    return out;
  };
}

// A number (integer or floating point) from lo to hi.
auto Number(double lo, double hi) {
  return [=](const toml::node& n, Context& c) -> std::optional<double> {
    std::optional<double> v;
    if (const auto* f = n.as_floating_point()) v = f->get();
    if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
    if (!v) return c.Fail(n, std::string("expected a number, got ") + TypeName(n.type()));
    if (!(*v >= lo && *v <= hi)) {
      std::ostringstream range;
      range << "must be " << lo << " to " << hi << " (got " << *v << ")";
      return c.Fail(n, range.str());
    }
    return v;
  };
}

auto Speed() {
  return [](const toml::node& n, Context& c) -> std::optional<double> {
    std::optional<double> speed;
    if (const auto* f = n.as_floating_point()) speed = f->get();
    if (const auto* i = n.as_integer()) speed = static_cast<double>(i->get());
    if (!speed) return c.Fail(n, std::string("expected a number, got ") + TypeName(n.type()));
    if (!std::isfinite(*speed) || *speed < 0) {
      return c.Fail(n, "must be 0 (as fast as possible) or a positive, finite factor");
    }
    return speed;
  };
}

// 5, or "3.1.1" (stored as 4, the protocol level).
auto MqttVersion() {
  return [](const toml::node& n, Context& c) -> std::optional<int> {
    std::string v;
    if (const auto* i = n.as_integer()) v = std::to_string(i->get());
    if (const auto* s = n.as_string()) v = s->get();
    if (v == "5") return 5;
    if (v == "3.1.1") return 4;
    return c.Fail(n, "must be 5 or \"3.1.1\"");
  };
}

// An MQTT string: at most 65535 bytes, no NUL.
auto MqttString(const char* why) {
  return Text([why](const std::string& s) -> Status {
    if (s.size() > 65535 || s.find('\0') != std::string::npos) return Fail(why);
    return {};
  });
}

// "" = off; else an "ADDRESS:PORT" (listen_address.h).
auto Listen() {
  return [](const toml::node& n, Context& c) -> std::optional<std::optional<ListenAddress>> {
    std::optional<std::string> s = AsString(n, c);
    if (!s) return std::nullopt;
    if (s->empty()) return std::optional<ListenAddress>();
    Result<ListenAddress> a = ParseListenAddress(*s);
    if (!a) return c.Fail(n, a.error() + " (got \"" + *s + "\")");
    return std::optional<ListenAddress>(*a);
  };
}

// "" = stay as started; else a user name that is not root (whether it exists
// is checked at start-up).
auto UserName() {
  return Text([](const std::string& s) -> Status {
    if (s.empty()) return {};
    bool name_ok = s.size() <= 32 && s.front() != '-';
    for (char ch : s) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
      if (!ok) name_ok = false;
    }
    if (!name_ok) return Fail("\"" + s + "\" is not a user name");
    if (s == "root") return Fail("must not be root (leave it empty to keep the user)");
    return {};
  });
}

// ---------------------------------------------------------------------------
// The table.

struct Row {
  Setting setting;
  std::function<void(const toml::node&, Context&, Config&)> parse;
};

// The member of Config a row reads and writes, for a const or a mutable Config.
#define MEMBER(path) \
  [](auto& config) -> auto& { return config.path; }

template <typename Member, typename Parser>
Row Key(const char* section, const char* key, Member member, Parser parser, OnReload reload,
        Shipped shipped, const char* doc) {
  return Row{
      Setting{section, key, reload, shipped, doc,
              [member](const Config& a, const Config& b) { return !(member(a) == member(b)); },
              [member](Config& to, const Config& from) { member(to) = member(from); }},
      [member, parser](const toml::node& n, Context& c, Config& config) {
        if (auto value = parser(n, c)) member(config) = std::move(*value);
      }};
}

constexpr OnReload kLive = OnReload::kApplyLive;
constexpr OnReload kRestart = OnReload::kNeedsRestart;
constexpr Shipped kDefault = Shipped::kDefault;
constexpr Shipped kExample = Shipped::kExample;

// HOW TO ADD A SETTING: add one row below, in the section it belongs to, and
// the member it fills to Config (config.h); then use the member. A row is:
//   Key(section, key, MEMBER(config member), parser, reload, shipped, doc)
// - parser: one of those above (Int<T>(lo, hi, unit), Seconds(lo, hi),
//   Bool(), Text(check), OneOf({...}), Path(), ReadableFile(), Typed<T>(fn)
//   for a parser of another library returning Result<T>, ...), or a new one
//   of the same shape. It stores the value parsed and typed.
// - reload: kLive if a SIGHUP may change it under the running pipeline (say
//   where it takes effect), else kRestart (reload.h).
// - shipped: kDefault if config/footfall.toml shows "key = <default>", or
//   kExample if it shows a commented "# key = ..." (no default to show).
//   Document the key there (config_test checks that it is, with its default).
// - doc: one line, shown by `footfalld --list-settings`.
// A rule between two keys goes into kChecks, below the table. The loader, the
// unknown-key warning, the reload plan and --check-config follow by themselves.
const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      Key("sensor", "site", MEMBER(site), Identifier(), kRestart, kDefault,
          "name of the store or site (a topic level and Home Assistant id)"),
      Key("sensor", "id", MEMBER(sensor_id), Identifier(), kRestart, kDefault,
          "name of this sensor within the site"),

      Key("capture", "source", MEMBER(sources), Source(), OnReload::kAsOtherKey, Shipped::kRequired,
          "\"pcap:IFACE\" (monitor mode) or \"file:PATH\" (replay)"),
      Key("capture", "sources", MEMBER(sources), Sources(), kRestart, kExample,
          "several live interfaces instead of source"),
      Key("capture", "speed", MEMBER(speed), Speed(), kRestart, kDefault,
          "file replay: 0 = as fast as possible, N = N x real time"),
      Key("capture", "snaplen", MEMBER(snaplen), Int<int>(64, 262144, " bytes"), kRestart, kDefault,
          "live: bytes kept of each frame"),
      Key("capture", "buffer_size_kib", MEMBER(buffer_size_kib), Int<int>(64, 1048576, " KiB"),
          kRestart, kDefault, "live: kernel capture buffer"),
      Key("capture", "immediate", MEMBER(immediate), Bool(), kRestart, kDefault,
          "live: hand each frame over at once"),
      Key("capture", "stats_interval_s", MEMBER(stats_interval), Seconds(1, 3600), kRestart,
          kDefault, "live: how often the kernel's drop counters are read"),

      Key("hashing", "algorithm", MEMBER(algorithm),
          Typed<hashing::Algorithm>(hashing::ParseAlgorithm), kRestart, kDefault,
          "keyed hash of the addresses: siphash24 or blake2b"),
      Key("hashing", "rotate_at", MEMBER(rotation.daily_at),
          Typed<hashing::TimeOfDay>(hashing::ParseTimeOfDay), kRestart, kDefault,
          "local time of day the key is replaced, HH:MM"),
      Key("hashing", "rotate_every_s", MEMBER(rotation.every), Seconds(600, 604800, 0), kRestart,
          kDefault, "replace the key every N seconds instead (0 = daily at rotate_at)"),
      Key("hashing", "carry_over_max_s", MEMBER(carry_over_max), Seconds(0, 3600), kRestart,
          kDefault, "keep the retired key this long to recognise phones present"),
      Key("hashing", "shared_seed_file", MEMBER(shared_seed_file), Path(), kRestart, kDefault,
          "shared-key mode: the site's seed file (\"\" = off)"),

      Key("privacy", "min_count", MEMBER(min_count), Int<std::uint64_t>(0, 1000, " devices"), kLive,
          kDefault, "smallest group published (smaller counts are null); 0 = off"),
      Key("privacy", "min_rssi_dbm", MEMBER(min_rssi_dbm), Int<int>(-127, 0, " dBm"), kLive,
          kExample, "drop weaker probe requests before hashing; unset = off"),
      Key("privacy", "noise", MEMBER(noise), OneOf({"off", "laplace"}), kRestart, kDefault,
          "\"laplace\": discrete Laplace noise on every published count (docs/privacy.md)"),
      Key("privacy", "epsilon", MEMBER(noise_epsilon), Number(0.001, 100), kRestart, kDefault,
          "noise mode: the privacy loss per window"),

      Key("windows", "length_s", MEMBER(window_length), Seconds(1, 86400), kRestart, kDefault,
          "length of a counting window, aligned to UTC"),

      Key("analytics", "visit_gap_s", MEMBER(people.visit_gap), Seconds(60, 3600), kRestart,
          kDefault, "longest silence within one visit"),
      Key("analytics", "visitor_rssi_dbm", MEMBER(people.visitor_rssi_dbm),
          Int<int>(-100, 0, " dBm"), kRestart, kDefault,
          "a visitor's visit reached at least this signal"),
      Key("analytics", "min_visit_s", MEMBER(people.min_visit), Seconds(0, 86400), kRestart,
          kDefault, "... and lasted at least this long"),
      Key("analytics", "stationary_after_s", MEMBER(people.stationary_after), Seconds(600, 86400),
          kRestart, kDefault, "present longer than this: a stationary device, not a visitor"),
      Key("analytics", "inside_rssi_dbm", MEMBER(people.inside_rssi_dbm), Int<int>(-100, 0, " dBm"),
          kRestart, kDefault, "heard this strong in a window: inside then (occupancy)"),

      Key("mqtt", "uri", MEMBER(broker),
          Typed<transport::MqttEndpoint>(transport::ParseMqttEndpoint), kRestart, kDefault,
          "the broker, scheme://host:port"),
      Key("mqtt", "topic_prefix", MEMBER(topic_prefix), TopicPrefix(), kRestart, kDefault,
          "first level(s) of every topic"),
      Key("mqtt", "qos", MEMBER(qos), Int<int>(0, 2), kRestart, kDefault,
          "quality of service of the counts"),
      Key("mqtt", "client_id", MEMBER(client_id), Text([](const std::string& s) -> Status {
            if (s.size() > 65535) return Fail("must be at most 65535 bytes");
            if (s.find('\0') != std::string::npos) return Fail("must not contain a NUL character");
            return {};
          }),
          kRestart, kExample, "MQTT client id (default footfall-<site>-<id>)"),
      Key("mqtt", "max_buffered", MEMBER(max_buffered), Int<int>(1, 10000000, " messages"),
          kRestart, kDefault, "messages kept on disk until acknowledged"),
      Key("mqtt", "drain_timeout_s", MEMBER(drain_timeout), Seconds(0, 3600), kLive, kDefault,
          "wait this long for acknowledgements at shutdown (from the next stop)"),
      Key("mqtt", "version", MEMBER(mqtt_version), MqttVersion(), kRestart, kDefault,
          "MQTT protocol version: \"3.1.1\" or 5"),
      Key("mqtt", "message_expiry_s", MEMBER(message_expiry), Seconds(0, 2147483647), kRestart,
          kDefault, "MQTT 5: the broker discards an undelivered count after this; 0 = never"),
      Key("mqtt", "ca_file", MEMBER(ca_file), ReadableFile(), kRestart, kExample,
          "TLS: the CA of the broker's certificate (default: the system's)"),
      Key("mqtt", "cert_file", MEMBER(cert_file), ReadableFile(), kRestart, kExample,
          "TLS: client certificate (PEM)"),
      Key("mqtt", "key_file", MEMBER(key_file), SecretFile(), kRestart, kExample,
          "TLS: its key (PEM; readable by footfalld's user only)"),
      Key("mqtt", "verify", MEMBER(tls_verify), Bool(), kRestart, kDefault,
          "TLS: verify the broker's certificate and name"),
      Key("mqtt", "username", MEMBER(username),
          MqttString("must be at most 65535 bytes, without NUL"), kRestart, kExample,
          "MQTT user name"),
      Key("mqtt", "password_file", MEMBER(password_file), SecretFile(), kRestart, kExample,
          "file whose first line is the password (or credential mqtt-password)"),

      Key("homeassistant", "enabled", MEMBER(ha_enabled), Bool(), kRestart, kDefault,
          "publish Home Assistant discovery configs"),
      Key("homeassistant", "prefix", MEMBER(ha_prefix), TopicPrefix(), kRestart, kDefault,
          "Home Assistant's discovery prefix"),

      Key("process", "user", MEMBER(user), UserName(), kRestart, kDefault,
          "started as root: switch to this user once the capture is open"),

      Key("metrics", "listen", MEMBER(metrics_listen), Listen(), kLive, kDefault,
          "Prometheus endpoint ADDRESS:PORT (\"\" = off)"),
      Key("metrics", "allow_remote", MEMBER(metrics_allow_remote), Bool(), kLive, kDefault,
          "allow a non-loopback listen address"),
      Key("metrics", "token_file", MEMBER(metrics_token_file), SecretFile(), kLive, kExample,
          "file whose first line is the bearer token (or credential metrics-token)"),

      Key("state", "dir", MEMBER(state_dir), NonEmptyPath(), kRestart, kDefault,
          "directory of the sequence number and the MQTT journal"),

      Key("log", "level", MEMBER(log_level),
          OneOf({"trace", "debug", "info", "warn", "error", "critical", "off"}), kLive, kDefault,
          "log verbosity"),
  };
  return rows;
}

#undef MEMBER

// Rules between keys, run after every row was read. Each names the key at
// fault; a value it rejects goes back to its default.
using CheckFn = void (*)(Context&, Config&);

void RequireSource(Context& c, Config&) {
  if (c.Find("capture", "source") != nullptr || c.Find("capture", "sources") != nullptr) return;
  const toml::node* table = c.root().get("capture");
  const Position p = table != nullptr ? PositionOf(table->source()) : Position{};
  c.Error(p, "capture.source",
          "required key is missing (e.g. source = \"pcap:mon0\" or \"file:/path/to.pcap\")");
}

void CarryOverBelowPeriod(Context& c, Config& config) {
  const toml::node* node = c.Find("hashing", "carry_over_max_s");
  const auto every = config.rotation.every;
  if (node == nullptr || every.count() == 0 || config.carry_over_max < every) return;
  c.Error(*node, "hashing.carry_over_max_s",
          "must be less than rotate_every_s (" + std::to_string(every.count()) +
              "), or the retired key would never be wiped (got " +
              std::to_string(config.carry_over_max.count()) + ")");
  config.carry_over_max = Config().carry_over_max;
}

// A visit that lasted min_visit_s would already be stationary. Named at the
// key that was set (stationary_after_s if both were).
void StationaryAfterMinVisit(Context& c, Config& config) {
  analytics::PeopleOptions& o = config.people;
  const toml::node* min_visit = c.Find("analytics", "min_visit_s");
  const toml::node* stationary = c.Find("analytics", "stationary_after_s");
  if ((min_visit == nullptr && stationary == nullptr) || o.stationary_after > o.min_visit) return;
  const std::string why = ", or no visit could count as a visitor's";
  if (stationary != nullptr) {
    c.Error(*stationary, "analytics.stationary_after_s",
            "must be greater than min_visit_s (" + std::to_string(o.min_visit.count()) + ")" + why +
                " (got " + std::to_string(o.stationary_after.count()) + ")");
  } else {
    c.Error(*min_visit, "analytics.min_visit_s",
            "must be less than stationary_after_s (" + std::to_string(o.stationary_after.count()) +
                ")" + why + " (got " + std::to_string(o.min_visit.count()) + ")");
  }
  const analytics::PeopleOptions defaults;
  o.min_visit = defaults.min_visit;
  o.stationary_after = defaults.stationary_after;
}

void ExpiryNeedsMqtt5(Context& c, Config& config) {
  if (config.message_expiry.count() > 0 && config.mqtt_version != 5) {
    c.Error(*c.Find("mqtt", "message_expiry_s"), "mqtt.message_expiry_s",
            "needs MQTT 5 (version = 5); MQTT 3.1.1 has no message expiry");
  }
}

void TlsFilesNeedTls(Context& c, Config& config) {
  for (auto [key, value] : {std::pair<const char*, const std::string*>{"ca_file", &config.ca_file},
                            {"cert_file", &config.cert_file},
                            {"key_file", &config.key_file}}) {
    if (!value->empty() && !config.broker.tls) {
      c.Error(*c.Find("mqtt", key), std::string("mqtt.") + key,
              "needs a TLS broker URI (ssl://, mqtts:// or wss://), but uri is \"" +
                  config.broker.uri + "\"");
    }
  }
  if (!config.key_file.empty() && config.cert_file.empty()) {
    c.Error(*c.Find("mqtt", "key_file"), "mqtt.key_file", "needs cert_file");
  }
}

void PasswordNeedsUser(Context& c, Config& config) {
  if (!config.password_file.empty() && config.username.empty()) {
    c.Error(*c.Find("mqtt", "password_file"), "mqtt.password_file",
            "needs username (MQTT sends a password only with a user name)");
  }
}

void MetricsLoopbackUnlessAllowed(Context& c, Config& config) {
  if (!config.metrics_listen || config.metrics_listen->loopback || config.metrics_allow_remote) {
    return;
  }
  c.Error(*c.Find("metrics", "listen"), "metrics.listen",
          "\"" + config.metrics_listen->address +
              "\" is not a loopback address; the metrics would be readable from other hosts. "
              "Use 127.0.0.1, or set [metrics] allow_remote = true");
  config.metrics_listen.reset();
}

// Settings that undo the privacy design (issue 15): warnings, in the log and
// in --check-config. A minimum group size below 3 publishes small groups (with
// 2, a null means exactly 1 person: docs/privacy.md, the trade-off).
void MinCountBelowThree(Context& c, Config& config) {
  const toml::node* n = c.Find("privacy", "min_count");
  if (n == nullptr || config.min_count >= 3) return;
  c.Warning(PositionOf(n->source()), "privacy.min_count",
            config.min_count == 0
                ? "0 turns the small-count suppression off: counts of single people are published"
                : std::to_string(config.min_count) + " is below 3: a null then means fewer than " +
                      std::to_string(config.min_count) +
                      (config.min_count == 2 ? ", i.e. exactly 1 person" : "") +
                      " (docs/privacy.md: the trade-off)");
}

// A password sent in the clear to a broker beyond this host.
void CleartextPassword(Context& c, Config& config) {
  const toml::node* n = c.Find("mqtt", "password_file");
  if (n == nullptr || config.broker.tls) return;
  const std::string& h = config.broker.host;
  if (h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0) return;
  c.Warning(PositionOf(n->source()), "mqtt.password_file",
            "the password goes unencrypted to " + h + " (uri \"" + config.broker.uri +
                "\"): use ssl:// or mqtts://, or a broker on this host");
}

constexpr CheckFn kChecks[] = {
    RequireSource,    CarryOverBelowPeriod, StationaryAfterMinVisit,      ExpiryNeedsMqtt5,
    TlsFilesNeedTls,  PasswordNeedsUser,    MetricsLoopbackUnlessAllowed, MinCountBelowThree,
    CleartextPassword};

// Warns about unknown top-level entries and unknown keys of known sections;
// a known section given as something else is an error.
void CheckSections(Context& c) {
  std::map<std::string, std::set<std::string>> known;
  for (const Row& row : Rows()) known[row.setting.section].insert(row.setting.key);
  for (auto&& [key, node] : c.root()) {
    const std::string name(key.str());
    auto section = known.find(name);
    if (section == known.end()) {
      c.Warning(PositionOf(key.source()), name, "unknown key (ignored)");
      continue;
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      c.Error(node, name, std::string("expected a table, got ") + TypeName(node.type()));
      continue;
    }
    for (auto&& [sub, sub_node] : *table) {
      const std::string sub_name(sub.str());
      if (section->second.count(sub_name) == 0) {
        c.Warning(PositionOf(sub.source()), name + "." + sub_name, "unknown key (ignored)");
      }
    }
  }
}

ConfigResult Parse(const std::string& text, const std::string& name,
                   const std::filesystem::path& base_dir) {
  ConfigResult result;
  toml::table root;
  try {
    root = toml::parse(text, std::string_view{name});
  } catch (const toml::parse_error& e) {
    const Position p = PositionOf(e.source());
    result.errors.push_back(name + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
                            ": error: TOML syntax: " + std::string(e.description()));
    return result;
  }
  Context context(name, base_dir, root);
  CheckSections(context);
  for (const Row& row : Rows()) {
    const toml::node* node = context.Find(row.setting.section, row.setting.key);
    if (node == nullptr) continue;
    context.SetKey(row.setting.name());
    row.parse(*node, context, result.config);
  }
  for (CheckFn check : kChecks) check(context, result.config);
  context.Finish(result);
  return result;
}

}  // namespace

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = [] {
    std::vector<Setting> out;
    for (const Row& row : Rows()) out.push_back(row.setting);
    return out;
  }();
  return settings;
}

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
