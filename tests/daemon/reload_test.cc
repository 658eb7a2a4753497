// Purpose: tests of PlanReload: which changed keys a SIGHUP applies live and
// which wait for a restart, on configs parsed from real TOML text.
#include "daemon/reload.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace footfall::daemon {
namespace {

Config Parse(const std::string& extra) {
  ConfigResult r = ParseConfig("[capture]\nsource = \"pcap:mon0\"\n" + extra, "/etc/f.toml");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  return r.config;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ReloadTest, SameConfigChangesNothing) {
  const Config c = Parse("");
  ReloadPlan p = PlanReload(c, c);
  EXPECT_TRUE(p.applied.empty());
  EXPECT_TRUE(p.needs_restart.empty());
}

TEST(ReloadTest, LiveKeysAreApplied) {
  const Config running = Parse("");
  const Config loaded = Parse(
      "[log]\nlevel = \"debug\"\n[mqtt]\ndrain_timeout_s = 5\n"
      "[metrics]\nlisten = \"127.0.0.1:9464\"\n");
  ReloadPlan p = PlanReload(running, loaded);
  EXPECT_TRUE(p.needs_restart.empty());
  EXPECT_TRUE(Contains(p.applied, "log.level"));
  EXPECT_TRUE(Contains(p.applied, "mqtt.drain_timeout_s"));
  EXPECT_TRUE(Contains(p.applied, "metrics.listen"));
  EXPECT_EQ(p.next.log_level, "debug");
  EXPECT_EQ(p.next.drain_timeout, std::chrono::seconds(5));
  ASSERT_TRUE(p.next.metrics_listen.has_value());
  EXPECT_EQ(p.next.metrics_listen->ToString(), "127.0.0.1:9464");
}

TEST(ReloadTest, RestartKeysAreNamedAndKeptAtTheirRunningValue) {
  const Config running = Parse("");
  // Every key that cannot change under a running pipeline, changed at once.
  const std::string text =
      "[sensor]\nsite = \"s2\"\nid = \"i2\"\n"
      "[hashing]\nalgorithm = \"blake2b\"\nrotate_at = \"05:00\"\nrotate_every_s = 3600\n"
      "[windows]\nlength_s = 30\n"
      "[mqtt]\nuri = \"tcp://broker.example:1883\"\ntopic_prefix = \"ff\"\nqos = 2\n"
      "client_id = \"x\"\nmax_buffered = 5\nmax_memory_buffered = 7\nversion = 5\n"
      "[homeassistant]\nenabled = false\nprefix = \"ha\"\n"
      "[state]\ndir = \"/tmp/other\"\n";
  ConfigResult r = ParseConfig(
      "[capture]\nsource = \"pcap:mon1\"\nspeed = 2\nsnaplen = 256\n"
      "buffer_size_kib = 128\nimmediate = false\n" +
          text,
      "/etc/f.toml");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  ReloadPlan p = PlanReload(running, r.config);
  EXPECT_TRUE(p.applied.empty());
  for (const char* key : {"sensor.site",
                          "sensor.id",
                          "capture.sources",
                          "capture.speed",
                          "capture.snaplen",
                          "capture.buffer_size_kib",
                          "capture.immediate",
                          "hashing.algorithm",
                          "hashing.rotate_at",
                          "hashing.rotate_every_s",
                          "windows.length_s",
                          "mqtt.uri",
                          "mqtt.topic_prefix",
                          "mqtt.qos",
                          "mqtt.client_id",
                          "mqtt.max_buffered",
                          "mqtt.version",
                          "mqtt.max_memory_buffered",
                          "homeassistant.enabled",
                          "homeassistant.prefix",
                          "state.dir"}) {
    EXPECT_TRUE(Contains(p.needs_restart, key)) << key;
  }
  // The running values stay.
  EXPECT_EQ(p.next.site, running.site);
  EXPECT_EQ(p.next.sources, running.sources);
  EXPECT_EQ(p.next.window_length, running.window_length);
  EXPECT_EQ(p.next.algorithm, running.algorithm);
  EXPECT_EQ(p.next.broker, running.broker);
  EXPECT_EQ(p.next.state_dir, running.state_dir);
}

TEST(ReloadTest, AnalyticsKeysNeedARestart) {
  // The open visits were built under the running settings: each change is
  // named as needing a restart and the running value stays.
  const Config running = Parse("");
  const Config loaded = Parse(
      "[analytics]\nvisit_gap_s = 120\nvisitor_rssi_dbm = -60\nmin_visit_s = 600\n"
      "stationary_after_s = 7200\n[log]\nlevel = \"debug\"\n");
  ReloadPlan p = PlanReload(running, loaded);
  EXPECT_EQ(p.applied, std::vector<std::string>{"log.level"});
  EXPECT_EQ(p.needs_restart,
            (std::vector<std::string>{"analytics.visit_gap_s", "analytics.visitor_rssi_dbm",
                                      "analytics.min_visit_s", "analytics.stationary_after_s"}));
  EXPECT_EQ(p.next.people.visit_gap, running.people.visit_gap);
  EXPECT_EQ(p.next.people.visitor_rssi_dbm, running.people.visitor_rssi_dbm);
  EXPECT_EQ(p.next.people.min_visit, running.people.min_visit);
  EXPECT_EQ(p.next.people.stationary_after, running.people.stationary_after);
  EXPECT_EQ(p.next.log_level, "debug");
  // One key alone is detected alone.
  const ReloadPlan one = PlanReload(running, Parse("[analytics]\nvisitor_rssi_dbm = -75\n"));
  EXPECT_EQ(one.needs_restart, std::vector<std::string>{"analytics.visitor_rssi_dbm"});
  EXPECT_TRUE(one.applied.empty());
}

}  // namespace
}  // namespace footfall::daemon
