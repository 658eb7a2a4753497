// Purpose: tests of the TOML config loader: defaults, every key, every kind of
// error with its exact "file:line:col" prefix, several errors at once, unknown
// key warnings, relative paths, and the shipped config/footfall.toml.
#include "daemon/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr const char* kMinimal = "[capture]\nsource = \"pcap:mon0\"\n";

ConfigResult Parse(const std::string& text) { return ParseConfig(text, "t.toml"); }

// The sources as written in the config, "pcap:mon0" / "file:/abs/path".
std::vector<std::string> Names(const std::vector<capture::SourceSpec>& sources) {
  std::vector<std::string> out;
  for (const auto& s : sources) out.push_back(s.ToString());
  return out;
}

// Parses a one-key config "[table]\nkey = value" (line 2, value at column
// len(key) + 4) plus the required source; expects exactly one error.
std::string OneError(const std::string& table, const std::string& key_value) {
  std::string text = "[" + table + "]\n" + key_value + "\n";
  if (table != "capture") text += "[capture]\nsource = \"pcap:mon0\"\n";
  const ConfigResult r = Parse(text);
  EXPECT_EQ(r.errors.size(), 1u) << text << "\n" << ::testing::PrintToString(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty());
  return r.errors.empty() ? "" : r.errors.front();
}

TEST(ConfigTest, DefaultsFromMinimalConfig) {
  const ConfigResult r = Parse(kMinimal);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty());
  const Config& c = r.config;
  const Config d;
  EXPECT_EQ(c.site, "site");
  EXPECT_EQ(c.sensor_id, "sensor");
  EXPECT_EQ(Names(c.sources), std::vector<std::string>{"pcap:mon0"});
  EXPECT_EQ(c.speed, d.speed);
  EXPECT_EQ(c.snaplen, 2048);
  EXPECT_EQ(c.buffer_size_kib, 4096);
  EXPECT_TRUE(c.immediate);
  EXPECT_EQ(c.algorithm, hashing::Algorithm::kSipHash24);
  EXPECT_EQ(c.rotation.daily_at.ToString(), "04:00");
  EXPECT_EQ(c.rotation.every, std::chrono::seconds(0));
  EXPECT_EQ(c.window_length, std::chrono::seconds(60));
  EXPECT_EQ(c.broker.uri, "tcp://127.0.0.1:1883");
  EXPECT_EQ(c.topic_prefix, "footfall");
  EXPECT_EQ(c.qos, 1);
  EXPECT_EQ(c.client_id, "");
  EXPECT_EQ(c.effective_client_id(), "footfall-site-sensor");
  EXPECT_EQ(c.max_buffered, 100000);
  EXPECT_EQ(c.drain_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.state_dir, "/var/lib/footfall");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.topic_base(), "footfall/site/sensor");
  EXPECT_EQ(c.people.visit_gap, std::chrono::seconds(300));
  EXPECT_EQ(c.people.visitor_rssi_dbm, -70);
  EXPECT_EQ(c.people.min_visit, std::chrono::seconds(300));
  EXPECT_EQ(c.people.stationary_after, std::chrono::seconds(21600));
}

TEST(ConfigTest, EveryKeyParsed) {
  const ConfigResult r = Parse(R"(
[sensor]
site = "store-42"
id = "door_1"
[capture]
source = "file:/data/x.pcapng"
speed = 2.5
snaplen = 512
buffer_size_kib = 128
immediate = false
[hashing]
algorithm = "blake2b"
rotate_at = "23:59"
rotate_every_s = 3600
[windows]
length_s = 300
[mqtt]
uri = "ssl://broker.example.com:8883"
topic_prefix = "acme/footfall"
qos = 2
client_id = "my-client"
max_buffered = 10
drain_timeout_s = 0
[state]
dir = "/tmp/ff-state"
[log]
level = "debug"
)");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty());
  const Config& c = r.config;
  EXPECT_EQ(c.site, "store-42");
  EXPECT_EQ(c.sensor_id, "door_1");
  EXPECT_EQ(Names(c.sources), std::vector<std::string>{"file:/data/x.pcapng"});
  EXPECT_DOUBLE_EQ(c.speed, 2.5);
  EXPECT_EQ(c.snaplen, 512);
  EXPECT_EQ(c.buffer_size_kib, 128);
  EXPECT_FALSE(c.immediate);
  EXPECT_EQ(c.algorithm, hashing::Algorithm::kBlake2b);
  EXPECT_EQ(c.rotation.daily_at.ToString(), "23:59");
  EXPECT_EQ(c.rotation.every, std::chrono::seconds(3600));
  EXPECT_EQ(c.window_length, std::chrono::seconds(300));
  EXPECT_EQ(c.broker.uri, "ssl://broker.example.com:8883");
  EXPECT_EQ(c.topic_prefix, "acme/footfall");
  EXPECT_EQ(c.qos, 2);
  EXPECT_EQ(c.client_id, "my-client");
  EXPECT_EQ(c.effective_client_id(), "my-client");
  EXPECT_EQ(c.max_buffered, 10);
  EXPECT_EQ(c.drain_timeout, std::chrono::seconds(0));
  EXPECT_EQ(c.state_dir, "/tmp/ff-state");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.topic_base(), "acme/footfall/store-42/door_1");
}

TEST(ConfigTest, AcceptedVariants) {
  for (const std::string kv :
       {"speed = 3", "speed = 0.0", "snaplen = 64", "snaplen = 262144", "buffer_size_kib = 64",
        "buffer_size_kib = 1048576", "source = \"pcap:wlan0mon\""}) {
    const ConfigResult r = Parse("[capture]\nsource = \"pcap:mon0\"\n" +
                                 std::string(kv.rfind("source", 0) == 0 ? "" : kv) + "\n");
    EXPECT_TRUE(r.ok()) << kv << ": " << ::testing::PrintToString(r.errors);
  }
  for (const std::string kv : {"rotate_every_s = 600", "rotate_every_s = 604800",
                               "rotate_at = \"00:00\"", "algorithm = \"siphash24\""}) {
    EXPECT_TRUE(Parse(std::string(kMinimal) + "[hashing]\n" + kv + "\n").ok()) << kv;
  }
  for (const std::string kv : {"length_s = 1", "length_s = 86400"}) {
    EXPECT_TRUE(Parse(std::string(kMinimal) + "[windows]\n" + kv + "\n").ok()) << kv;
  }
  for (const std::string uri :
       {"tcp://localhost:1883", "mqtt://10.0.0.1:1883", "mqtts://h:8883", "ws://h:80/mqtt",
        "wss://broker.example.com:443/mqtt", "tcp://[::1]:1883"}) {
    const ConfigResult r = Parse(std::string(kMinimal) + "[mqtt]\nuri = \"" + uri + "\"\n");
    EXPECT_TRUE(r.ok()) << uri << ": " << ::testing::PrintToString(r.errors);
    EXPECT_EQ(r.config.broker.uri, uri);
  }
  for (const std::string level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    EXPECT_TRUE(Parse(std::string(kMinimal) + "[log]\nlevel = \"" + level + "\"\n").ok()) << level;
  }
  // The speed may be an integer; qos 0; client_id "" means derived.
  const ConfigResult r =
      Parse(std::string(kMinimal) + "[mqtt]\nqos = 0\nclient_id = \"\"\n[sensor]\nsite = \"s\"\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.qos, 0);
  EXPECT_EQ(r.config.effective_client_id(), "footfall-s-sensor");
}

TEST(ConfigTest, RangeAndValueErrorsHaveExactPositions) {
  // "[table]" is line 1; the value starts after "key = " on line 2.
  EXPECT_EQ(OneError("capture", "snaplen = 63\nsource = \"pcap:mon0\""),
            "t.toml:2:11: error: capture.snaplen: must be 64 to 262144 bytes (got 63)");
  EXPECT_THAT(OneError("capture", "buffer_size_kib = 1048577\nsource = \"pcap:x\""),
              StartsWith("t.toml:2:19: error: capture.buffer_size_kib: must be 64 to"));
  EXPECT_THAT(OneError("capture", "speed = -1.0\nsource = \"pcap:x\""),
              StartsWith("t.toml:2:9: error: capture.speed: must be 0"));
  EXPECT_THAT(OneError("capture", "speed = nan\nsource = \"pcap:x\""),
              StartsWith("t.toml:2:9: error: capture.speed:"));
  EXPECT_THAT(OneError("capture", "source = \"eth0\""),
              StartsWith("t.toml:2:10: error: capture.source: must be \"file:PATH\""));
  EXPECT_THAT(OneError("capture", "source = \"file:\""),
              StartsWith("t.toml:2:10: error: capture.source:"));
  EXPECT_THAT(OneError("capture", "source = \"pcap:this-name-is-too-long\""),
              StartsWith("t.toml:2:10: error: capture.source:"));
  EXPECT_EQ(OneError("sensor", "site = \"my store\""),
            "t.toml:2:8: error: sensor.site: must be letters, digits, '_' or '-' only (it is "
            "an MQTT topic level and a Home Assistant id; got \"my store\")");
  EXPECT_THAT(OneError("sensor", "id = \"a/b\""), StartsWith("t.toml:2:6: error: sensor.id:"));
  EXPECT_THAT(OneError("sensor", "id = \"\""), StartsWith("t.toml:2:6: error: sensor.id:"));
  EXPECT_EQ(OneError("hashing", "algorithm = \"md5\""),
            "t.toml:2:13: error: hashing.algorithm: must be \"siphash24\" or \"blake2b\" "
            "(got \"md5\")");
  for (const char* bad : {"24:00", "4:00", "04:60", "04:00:00", "ab:cd", ""}) {
    EXPECT_THAT(OneError("hashing", std::string("rotate_at = \"") + bad + "\""),
                StartsWith("t.toml:2:13: error: hashing.rotate_at: must be a local time"))
        << bad;
  }
  EXPECT_EQ(OneError("hashing", "rotate_every_s = 599"),
            "t.toml:2:18: error: hashing.rotate_every_s: must be 0, or 600 to 604800 seconds "
            "(got 599)");
  EXPECT_THAT(OneError("hashing", "rotate_every_s = 604801"),
              StartsWith("t.toml:2:18: error: hashing.rotate_every_s:"));
  EXPECT_THAT(OneError("windows", "length_s = 0"),
              StartsWith("t.toml:2:12: error: windows.length_s: must be 1 to 86400"));
  EXPECT_THAT(OneError("windows", "length_s = 86401"),
              StartsWith("t.toml:2:12: error: windows.length_s:"));
  for (const char* bad : {"http://h:80", "tcp://h", "tcp://:1883", "tcp://h:0", "tcp://h:65536",
                          "tcp://h:12x", "tcp://h:1883/path", "127.0.0.1:1883"}) {
    EXPECT_THAT(OneError("mqtt", std::string("uri = \"") + bad + "\""),
                StartsWith("t.toml:2:7: error: mqtt.uri: "))
        << bad;
  }
  for (const char* bad : {"", "a/+/b", "a/#", "/footfall", "footfall/", "a//b"}) {
    EXPECT_THAT(OneError("mqtt", std::string("topic_prefix = \"") + bad + "\""),
                StartsWith("t.toml:2:16: error: mqtt.topic_prefix: "))
        << bad;
  }
  EXPECT_EQ(OneError("mqtt", "qos = 3"), "t.toml:2:7: error: mqtt.qos: must be 0 to 2 (got 3)");
  EXPECT_THAT(OneError("mqtt", "qos = -1"), StartsWith("t.toml:2:7: error: mqtt.qos:"));
  EXPECT_THAT(OneError("mqtt", "max_buffered = 0"),
              StartsWith("t.toml:2:16: error: mqtt.max_buffered: must be 1 to 10000000"));
  EXPECT_THAT(OneError("mqtt", "max_buffered = 10000001"),
              StartsWith("t.toml:2:16: error: mqtt.max_buffered:"));
  EXPECT_THAT(OneError("mqtt", "max_memory_buffered = 0"),
              StartsWith("t.toml:2:23: error: mqtt.max_memory_buffered: must be 1 to 10000000"));
  EXPECT_THAT(OneError("mqtt", "drain_timeout_s = 3601"),
              StartsWith("t.toml:2:19: error: mqtt.drain_timeout_s: must be 0 to 3600"));
  EXPECT_THAT(OneError("state", "dir = \"\""), StartsWith("t.toml:2:7: error: state.dir:"));
  EXPECT_EQ(OneError("log", "level = \"verbose\""),
            "t.toml:2:9: error: log.level: must be one of trace, debug, info, warn, error, "
            "critical, off (got \"verbose\")");
}

TEST(ConfigTest, TypeErrorsNameTheExpectedType) {
  EXPECT_EQ(OneError("capture", "snaplen = \"2048\"\nsource = \"pcap:x\""),
            "t.toml:2:11: error: capture.snaplen: expected an integer, got a string");
  EXPECT_EQ(OneError("capture", "snaplen = 2048.0\nsource = \"pcap:x\""),
            "t.toml:2:11: error: capture.snaplen: expected an integer, got a float");
  EXPECT_EQ(OneError("capture", "immediate = 1\nsource = \"pcap:x\""),
            "t.toml:2:13: error: capture.immediate: expected a boolean (true or false), got "
            "an integer");
  EXPECT_EQ(OneError("capture", "speed = \"fast\"\nsource = \"pcap:x\""),
            "t.toml:2:9: error: capture.speed: expected a number, got a string");
  EXPECT_EQ(OneError("capture", "source = 5"),
            "t.toml:2:10: error: capture.source: expected a string, got an integer");
  EXPECT_EQ(OneError("sensor", "site = [\"a\"]"),
            "t.toml:2:8: error: sensor.site: expected a string, got an array");
  EXPECT_EQ(OneError("mqtt", "qos = true"),
            "t.toml:2:7: error: mqtt.qos: expected an integer, got a boolean");
  EXPECT_EQ(OneError("hashing", "rotate_at = 04:00:00"),
            "t.toml:2:13: error: hashing.rotate_at: expected a string, got a time");
  EXPECT_EQ(OneError("log", "level = { a = 1 }"),
            "t.toml:2:9: error: log.level: expected a string, got a table");
  // A known table given as a value.
  const ConfigResult r = Parse("mqtt = 5\n" + std::string(kMinimal));
  EXPECT_THAT(r.errors, ElementsAre("t.toml:1:8: error: mqtt: expected a table, got an integer"));
}

TEST(ConfigTest, SeveralSources) {
  const ConfigResult r =
      Parse("[capture]\nsources = [\"pcap:mon0\", \"pcap:mon1\"]\nstats_interval_s = 2\n");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_EQ(Names(r.config.sources), (std::vector<std::string>{"pcap:mon0", "pcap:mon1"}));
  EXPECT_EQ(r.config.stats_interval, std::chrono::seconds(2));
  // One entry is the same as source = "...", a file included.
  const ConfigResult one = Parse("[capture]\nsources = [\"file:/x.pcap\"]\n");
  ASSERT_TRUE(one.ok()) << ::testing::PrintToString(one.errors);
  EXPECT_EQ(Names(one.config.sources), std::vector<std::string>{"file:/x.pcap"});
}

TEST(ConfigTest, SourcesErrors) {
  EXPECT_EQ(OneError("capture", "source = \"pcap:a\"\nsources = [\"pcap:b\"]"),
            "t.toml:3:11: error: capture.sources: give either source or sources, not both "
            "(source = \"X\" is short for sources = [\"X\"])");
  EXPECT_EQ(OneError("capture", "sources = []"),
            "t.toml:2:11: error: capture.sources: must list at least one source");
  EXPECT_EQ(OneError("capture", "sources = \"pcap:a\""),
            "t.toml:2:11: error: capture.sources: expected an array of strings, got a string");
  EXPECT_EQ(OneError("capture", "sources = [\"pcap:a\", 5]"),
            "t.toml:2:22: error: capture.sources: expected a string, got an integer");
  EXPECT_EQ(OneError("capture", "sources = [\"pcap:a\", \"pcap:a\"]"),
            "t.toml:2:22: error: capture.sources: \"pcap:a\" is listed twice");
  EXPECT_THAT(OneError("capture", "sources = [\"pcap:a\", \"file:/x.pcap\"]"),
              StartsWith("t.toml:2:22: error: capture.sources: a file (\"file:/x.pcap\") is "
                         "replayed on its own"));
  EXPECT_THAT(OneError("capture", "sources = [\"pcap:a\", \"eth0\"]"),
              StartsWith("t.toml:2:22: error: capture.sources: must be \"file:PATH\""));
  EXPECT_THAT(OneError("capture", "sources = [\"pcap:a\"]\nstats_interval_s = 0"),
              StartsWith("t.toml:3:20: error: capture.stats_interval_s: must be 1 to 3600"));
}

TEST(ConfigTest, MissingSource) {
  EXPECT_THAT(Parse("").errors,
              ElementsAre("t.toml:1:1: error: capture.source: required key is missing (e.g. "
                          "source = \"pcap:mon0\" or \"file:/path/to.pcap\")"));
  // With a [capture] table, its position.
  const ConfigResult r = Parse("[sensor]\nsite = \"a\"\n\n[capture]\nspeed = 1\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], StartsWith("t.toml:4:1: error: capture.source: required key"));
}

TEST(ConfigTest, SyntaxErrorWithPosition) {
  const ConfigResult r = Parse("[capture]\nsource = \"pcap:mon0\"\nspeed = = 1\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], StartsWith("t.toml:3:9: error: TOML syntax: "));
  const ConfigResult dup = Parse("[capture]\nsource = \"pcap:mon0\"\nsource = \"pcap:x\"\n");
  ASSERT_EQ(dup.errors.size(), 1u);
  EXPECT_THAT(dup.errors[0], StartsWith("t.toml:3:"));
  EXPECT_THAT(dup.errors[0], HasSubstr("error: TOML syntax: "));
  const ConfigResult unterminated = Parse("[capture]\nsource = \"pcap:mon0\n");
  ASSERT_EQ(unterminated.errors.size(), 1u);
  EXPECT_THAT(unterminated.errors[0], StartsWith("t.toml:2:"));
}

TEST(ConfigTest, AllErrorsCollected) {
  const ConfigResult r = Parse(R"([sensor]
site = "bad site"
[capture]
snaplen = 1
[windows]
length_s = "60"
[mqtt]
qos = 7
uri = "http://x:1"
[log]
level = "loud"
)");
  EXPECT_THAT(r.errors,
              ElementsAre(StartsWith("t.toml:2:8: error: sensor.site: "),
                          StartsWith("t.toml:3:1: error: capture.source: required key"),
                          StartsWith("t.toml:4:11: error: capture.snaplen: "),
                          "t.toml:6:12: error: windows.length_s: expected an integer, got a "
                          "string",
                          StartsWith("t.toml:8:7: error: mqtt.qos: "),
                          StartsWith("t.toml:9:7: error: mqtt.uri: "),
                          StartsWith("t.toml:11:9: error: log.level: ")));
  // A bad value leaves the default in place.
  EXPECT_EQ(r.config.qos, 1);
  EXPECT_EQ(r.config.site, "site");
}

TEST(ConfigTest, UnknownKeysAreWarnings) {
  const ConfigResult r = Parse(R"(top = 1
[capture]
source = "pcap:mon0"
sped = 2
[mqtt.tls]
ca = "x"
[telemetry]
port = 9
)");
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_THAT(r.warnings, ElementsAre("t.toml:1:1: warning: top: unknown key (ignored)",
                                      "t.toml:4:1: warning: capture.sped: unknown key (ignored)",
                                      "t.toml:5:7: warning: mqtt.tls: unknown key (ignored)",
                                      "t.toml:7:2: warning: telemetry: unknown key (ignored)"));
}

TEST(ConfigTest, RelativeSourceResolvedAgainstConfigDirectory) {
  EXPECT_EQ(ParseConfig("[capture]\nsource = \"file:caps/a.pcap\"\n", "/etc/footfall/f.toml")
                .config.sources.at(0)
                .ToString(),
            "file:/etc/footfall/caps/a.pcap");
  EXPECT_EQ(ParseConfig("[capture]\nsource = \"file:../a.pcap\"\n", "/etc/footfall/f.toml")
                .config.sources.at(0)
                .ToString(),
            "file:/etc/a.pcap");
  EXPECT_EQ(ParseConfig("[capture]\nsource = \"file:/abs/a.pcap\"\n", "/etc/footfall/f.toml")
                .config.sources.at(0)
                .ToString(),
            "file:/abs/a.pcap");
  EXPECT_EQ(
      Names(ParseConfig("[capture]\nsources = [\"file:caps/a.pcap\"]\n", "/etc/footfall/f.toml")
                .config.sources),
      std::vector<std::string>{"file:/etc/footfall/caps/a.pcap"});

  testing::TempDir dir;
  const std::string path = dir.File("footfall.toml");
  testing::WriteFile(path,
                     "[capture]\nsource = \"file:samples/x.pcap\"\n[state]\ndir = \"state\"\n");
  const ConfigResult r = LoadConfig(path);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_EQ(r.config.sources.at(0).ToString(), "file:" + dir.path() + "/samples/x.pcap");
  EXPECT_EQ(r.config.state_dir, dir.path() + "/state");
}

TEST(ConfigTest, LoadConfigErrorsUseThePath) {
  testing::TempDir dir;
  const std::string missing = dir.File("nope.toml");
  EXPECT_THAT(LoadConfig(missing).errors,
              ElementsAre(missing + ": error: cannot read config: No such file or directory"));
  EXPECT_THAT(LoadConfig(dir.path()).errors,
              ElementsAre(dir.path() + ": error: cannot read config: Is a directory"));
  const std::string bad = dir.File("bad.toml");
  testing::WriteFile(bad, "[capture]\nsource = \"pcap:mon0\"\nsnaplen = 5\n");
  EXPECT_THAT(LoadConfig(bad).errors,
              ElementsAre(bad + ":3:11: error: capture.snaplen: must be 64 to 262144 bytes "
                                "(got 5)"));
}

TEST(ConfigTest, ShippedConfigLoadsCleanWithDefaults) {
  const std::string path = testing::SourceDir() + "/config/footfall.toml";
  const ConfigResult r = LoadConfig(path);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, IsEmpty());
  const Config& c = r.config;
  Config d;
  EXPECT_EQ(Names(c.sources), std::vector<std::string>{"pcap:mon0"});
  EXPECT_EQ(c.site, d.site);
  EXPECT_EQ(c.sensor_id, d.sensor_id);
  EXPECT_EQ(c.speed, d.speed);
  EXPECT_EQ(c.snaplen, d.snaplen);
  EXPECT_EQ(c.buffer_size_kib, d.buffer_size_kib);
  EXPECT_EQ(c.immediate, d.immediate);
  EXPECT_EQ(c.stats_interval, d.stats_interval);
  EXPECT_EQ(c.algorithm, d.algorithm);
  EXPECT_EQ(c.rotation.daily_at, d.rotation.daily_at);
  EXPECT_EQ(c.rotation.every, d.rotation.every);
  EXPECT_EQ(c.window_length, d.window_length);
  EXPECT_EQ(c.broker, d.broker);
  EXPECT_EQ(c.topic_prefix, d.topic_prefix);
  EXPECT_EQ(c.qos, d.qos);
  EXPECT_EQ(c.client_id, d.client_id);
  EXPECT_EQ(c.max_buffered, d.max_buffered);
  EXPECT_EQ(c.max_memory_buffered, d.max_memory_buffered);
  EXPECT_EQ(c.drain_timeout, d.drain_timeout);
  EXPECT_EQ(c.state_dir, d.state_dir);
  EXPECT_EQ(c.log_level, d.log_level);
  EXPECT_EQ(c.people.visit_gap, d.people.visit_gap);
  EXPECT_EQ(c.people.visitor_rssi_dbm, d.people.visitor_rssi_dbm);
  EXPECT_EQ(c.people.min_visit, d.people.min_visit);
  EXPECT_EQ(c.people.stationary_after, d.people.stationary_after);

  // Every key the loader knows appears in the shipped file (client_id as a
  // commented example, since its default is derived).
  const std::string text = testing::ReadFile(path);
  for (const char* key : {"[sensor]",
                          "site =",
                          "id =",
                          "[capture]",
                          "source =",
                          "speed =",
                          "snaplen =",
                          "buffer_size_kib =",
                          "immediate =",
                          "[hashing]",
                          "algorithm =",
                          "rotate_at =",
                          "rotate_every_s =",
                          "[windows]",
                          "length_s =",
                          "[mqtt]",
                          "uri =",
                          "topic_prefix =",
                          "qos =",
                          "# client_id =",
                          "max_buffered =",
                          "drain_timeout_s =",
                          "[analytics]",
                          "visit_gap_s =",
                          "visitor_rssi_dbm =",
                          "min_visit_s =",
                          "stationary_after_s =",
                          "[state]",
                          "dir =",
                          "[log]",
                          "level ="}) {
    EXPECT_THAT(text, HasSubstr(key));
  }
}

TEST(ConfigTest, AnalyticsKeysParsed) {
  const ConfigResult r = Parse(std::string(kMinimal) +
                               "[analytics]\nvisit_gap_s = 120\nvisitor_rssi_dbm = -65\n"
                               "min_visit_s = 600\nstationary_after_s = 28800\n");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_EQ(r.config.people.visit_gap, std::chrono::seconds(120));
  EXPECT_EQ(r.config.people.visitor_rssi_dbm, -65);
  EXPECT_EQ(r.config.people.min_visit, std::chrono::seconds(600));
  EXPECT_EQ(r.config.people.stationary_after, std::chrono::seconds(28800));
  // The bounds themselves are accepted.
  for (const std::string kv :
       {"visit_gap_s = 60", "visit_gap_s = 3600", "visitor_rssi_dbm = -100", "visitor_rssi_dbm = 0",
        "min_visit_s = 0", "stationary_after_s = 600", "stationary_after_s = 86400",
        "min_visit_s = 21599"}) {
    const ConfigResult ok = Parse(std::string(kMinimal) + "[analytics]\n" + kv + "\n");
    EXPECT_TRUE(ok.ok()) << kv << ": " << ::testing::PrintToString(ok.errors);
  }
}

TEST(ConfigTest, AnalyticsRangeErrorsNameFileLineAndKey) {
  EXPECT_EQ(OneError("analytics", "visit_gap_s = 59"),
            "t.toml:2:15: error: analytics.visit_gap_s: must be 60 to 3600 seconds (got 59)");
  EXPECT_EQ(OneError("analytics", "visit_gap_s = 3601"),
            "t.toml:2:15: error: analytics.visit_gap_s: must be 60 to 3600 seconds (got 3601)");
  EXPECT_EQ(OneError("analytics", "visitor_rssi_dbm = -101"),
            "t.toml:2:20: error: analytics.visitor_rssi_dbm: must be -100 to 0 dBm (got -101)");
  EXPECT_EQ(OneError("analytics", "visitor_rssi_dbm = 1"),
            "t.toml:2:20: error: analytics.visitor_rssi_dbm: must be -100 to 0 dBm (got 1)");
  EXPECT_EQ(OneError("analytics", "min_visit_s = -1"),
            "t.toml:2:15: error: analytics.min_visit_s: must be 0 to 86400 seconds (got -1)");
  EXPECT_EQ(OneError("analytics", "stationary_after_s = 599"),
            "t.toml:2:22: error: analytics.stationary_after_s: must be 600 to 86400 seconds "
            "(got 599)");
  EXPECT_EQ(OneError("analytics", "stationary_after_s = 86401"),
            "t.toml:2:22: error: analytics.stationary_after_s: must be 600 to 86400 seconds "
            "(got 86401)");
  EXPECT_EQ(OneError("analytics", "visit_gap_s = \"5m\""),
            "t.toml:2:15: error: analytics.visit_gap_s: expected an integer, got a string");
  EXPECT_EQ(OneError("analytics", "visitor_rssi_dbm = -70.5"),
            "t.toml:2:20: error: analytics.visitor_rssi_dbm: expected an integer, got a float");
  const ConfigResult r = Parse("analytics = 1\n" + std::string(kMinimal));
  EXPECT_THAT(r.errors,
              ElementsAre("t.toml:1:13: error: analytics: expected a table, got an integer"));
}

TEST(ConfigTest, AnalyticsStationaryMustExceedMinVisit) {
  // Both set: named at stationary_after_s.
  EXPECT_EQ(OneError("analytics", "min_visit_s = 3600\nstationary_after_s = 3600"),
            "t.toml:3:22: error: analytics.stationary_after_s: must be greater than "
            "min_visit_s (3600), or no visit could count as a visitor's (got 3600)");
  // Only min_visit_s set, against the default stationary_after_s (21600).
  EXPECT_EQ(OneError("analytics", "min_visit_s = 21600"),
            "t.toml:2:15: error: analytics.min_visit_s: must be less than stationary_after_s "
            "(21600), or no visit could count as a visitor's (got 21600)");
  // Only stationary_after_s set, against the default min_visit_s (300): 600
  // is fine, and its lower bound keeps it above the default.
  EXPECT_TRUE(Parse(std::string(kMinimal) + "[analytics]\nstationary_after_s = 600\n").ok());
  EXPECT_EQ(OneError("analytics", "min_visit_s = 900\nstationary_after_s = 600"),
            "t.toml:3:22: error: analytics.stationary_after_s: must be greater than "
            "min_visit_s (900), or no visit could count as a visitor's (got 600)");
  // A rejected pair leaves both defaults in place.
  const ConfigResult r =
      Parse(std::string(kMinimal) + "[analytics]\nmin_visit_s = 7200\nstationary_after_s = 3600\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.config.people.min_visit, std::chrono::seconds(300));
  EXPECT_EQ(r.config.people.stationary_after, std::chrono::seconds(21600));
}

TEST(ConfigTest, AnalyticsUnknownKeyIsAWarning) {
  const ConfigResult r =
      Parse(std::string(kMinimal) + "[analytics]\nvisit_gap = 300\nmin_visit_s = 60\n");
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(r.errors);
  EXPECT_THAT(r.warnings,
              ElementsAre("t.toml:4:1: warning: analytics.visit_gap: unknown key (ignored)"));
  EXPECT_EQ(r.config.people.visit_gap, std::chrono::seconds(300));
  EXPECT_EQ(r.config.people.min_visit, std::chrono::seconds(60));
}

// The settings table and the shipped, commented config/footfall.toml agree:
// every key of the table is documented in its section, with its default
// where it has one, and the file has no key the table does not know.
TEST(ConfigTest, ShippedConfigDocumentsEveryKeyOfTheTable) {
  const std::string path = testing::SourceDir() + "/config/footfall.toml";
  const ConfigResult loaded = LoadConfig(path);
  ASSERT_THAT(loaded.errors, IsEmpty());
  EXPECT_THAT(loaded.warnings, IsEmpty());

  // "section.key" of each "key = value" line, and of each "# key = value".
  std::set<std::string> set;
  std::set<std::string> commented;
  std::istringstream lines(testing::ReadFile(path));
  std::string line;
  std::string section;
  while (std::getline(lines, line)) {
    if (line.size() > 2 && line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const bool is_comment = line.rfind("# ", 0) == 0;
    const std::string body = is_comment ? line.substr(2) : line;
    const auto eq = body.find(" = ");
    if (eq == std::string::npos || eq == 0) continue;
    const std::string key = body.substr(0, eq);
    if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) continue;
    (is_comment ? commented : set).insert(section + "." + key);
  }

  const Config defaults;
  std::set<std::string> names;
  for (const Setting& s : Settings()) {
    const std::string name = s.name();
    EXPECT_TRUE(names.insert(name).second) << name << " is in the table twice";
    EXPECT_GT(std::string(s.doc).size(), 5u) << name << " has no doc line";
    switch (s.shipped) {
      case Shipped::kDefault:
        EXPECT_EQ(set.count(name), 1u)
            << name << ": \"" << s.key << " = <default>\" expected in [" << s.section << "]";
        EXPECT_FALSE(s.differs(loaded.config, defaults))
            << name << ": the shipped file does not show the default";
        break;
      case Shipped::kExample:
        EXPECT_EQ(commented.count(name), 1u)
            << name << ": \"# " << s.key << " = ...\" expected in [" << s.section << "]";
        break;
      case Shipped::kRequired:
        EXPECT_EQ(set.count(name), 1u) << name << ": required, so shown set";
        break;
    }
  }
  for (const std::string& name : set) EXPECT_EQ(names.count(name), 1u) << name;
  for (const std::string& name : commented) EXPECT_EQ(names.count(name), 1u) << name;
  // A changed default would be caught: the table's comparison sees it.
  Config other = defaults;
  other.snaplen = 4096;
  const auto snaplen = std::find_if(Settings().begin(), Settings().end(),
                                    [](const Setting& s) { return s.name() == "capture.snaplen"; });
  ASSERT_NE(snaplen, Settings().end());
  EXPECT_TRUE(snaplen->differs(other, defaults));
}

}  // namespace
}  // namespace footfall::daemon
