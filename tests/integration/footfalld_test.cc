// Purpose: end-to-end tests of the real footfalld binary: a real mosquitto on a
// free loopback port, a real mosquitto_sub, real captures from
// tests/data (anonymised real captures), real signals. The per-window figures are computed
// independently of footfall's parser, from tshark's dissection of the same
// file, and compared field by field with what the subscriber received. The
// captures hold real people's MACs: they are kept in memory for comparison and
// never printed.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "support/schema_check.h"
#include "support/test_support.h"

namespace footfall::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Utc(std::int64_t sec) {
  std::time_t t = sec;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct ExpectedWindow {
  std::int64_t start = 0;
  std::uint64_t probes = 0;
  std::set<std::string> devices;
  std::vector<int> signals;
};

// Windows of `length` s from the first to the last probe, empty ones included.
std::vector<ExpectedWindow> ExpectedWindows(const std::vector<TsharkProbe>& probes, int length) {
  std::map<std::int64_t, ExpectedWindow> by_start;
  std::int64_t first = probes.front().ts_us / 1000000 / length * length;
  std::int64_t last = probes.back().ts_us / 1000000 / length * length;
  for (std::int64_t s = first; s <= last; s += length) by_start[s].start = s;
  for (const auto& p : probes) {
    auto& w = by_start[p.ts_us / 1000000 / length * length];
    ++w.probes;
    w.devices.insert(p.sa);
    if (p.signal) w.signals.push_back(*p.signal);
  }
  std::vector<ExpectedWindow> out;
  for (auto& [s, w] : by_start) out.push_back(std::move(w));
  return out;
}

bool LocallyAdministered(const std::string& mac) {
  int first = std::stoi(mac.substr(0, 2), nullptr, 16);
  return (first & 0x02) != 0;
}

// Lines added to the tables of a test config.
struct ConfigExtras {
  std::string capture;  // e.g. "speed = 1\n"
  std::string mqtt;     // e.g. "drain_timeout_s = 2\n"
  std::string tail;     // further tables
};

std::string WriteConfig(const TempDir& dir, const std::string& source, int port,
                        const ConfigExtras& extras = {}) {
  std::string path = dir.File("footfall.toml");
  WriteFile(path, "[sensor]\nsite = \"store-7\"\nid = \"door\"\n\n[capture]\nsource = \"" + source +
                      "\"\n" + extras.capture + "\n[mqtt]\nuri = \"tcp://127.0.0.1:" +
                      std::to_string(port) + "\"\n" + extras.mqtt + "\n[state]\ndir = \"" +
                      dir.File("state") + "\"\n\n" + extras.tail);
  return path;
}

class FootfalldTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string Out() const { return ReadFile(dir_.File("stdout")); }
  std::string Err() const { return ReadFile(dir_.File("stderr")); }
  std::unique_ptr<Process> Start(const std::vector<std::string>& args) {
    std::vector<std::string> argv{FootfalldPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Process>(argv, dir_.File("stdout"), dir_.File("stderr"));
  }
};

TEST_F(FootfalldTest, ReplayPublishesEveryWindowMatchingTshark) {
  const std::string capture = CapturesDir() + kArgoF;
  // real.tsv: this file has no probe request with a bad FCS, so every probe
  // request tshark lists is one footfall must count.
  auto probes = TsharkProbes(capture);
  ASSERT_EQ(probes.size(), 373u);  // real.tsv probe_req
  auto expected = ExpectedWindows(probes, 60);

  Broker broker;
  Subscriber sub(broker.port(), "footfall/#");
  auto config = WriteConfig(dir_, "file:" + capture, broker.port(),
                            // Every count is compared, so none may be suppressed
                            // (privacy_test.cc checks the default minimum group size).
                            {"", "", "[log]\nlevel = \"trace\"\n\n[privacy]\nmin_count = 0\n"});
  auto proc = Start({"--config", config});
  int st = proc->Wait(seconds(60));
  ASSERT_NE(st, -1) << "footfalld did not exit";
  ASSERT_EQ(ExitCode(st), 0) << Err();

  auto msgs = sub.WaitFor(EndsOffline, seconds(10));
  ASSERT_FALSE(msgs.empty());
  // The clean exit publishes "offline" last. (A replay this short may end
  // before "online" is due; SigtermPublishesPartialWindowAndExitsZero checks it.)
  EXPECT_EQ(msgs.back().topic, "footfall/store-7/door/status");
  EXPECT_EQ(msgs.back().payload, "offline");
  // Every message (counts, status, info, buffer) matches its docs/schema/ file.
  EXPECT_EQ(SchemaViolations(msgs), std::vector<std::string>{});

  auto counts = CountsOf(msgs);
  ASSERT_EQ(counts.size(), expected.size());
  double previous_devices = 0, previous_occupancy = 0;  // of the window before
  for (size_t i = 0; i < counts.size(); ++i) {
    const json& c = counts[i];
    const ExpectedWindow& e = expected[i];
    SCOPED_TRACE("window " + Utc(e.start));
    EXPECT_EQ(c["schema"], "footfall.counts/3");
    EXPECT_EQ(c["site"], "store-7");
    EXPECT_EQ(c["sensor"], "door");
    EXPECT_EQ(c["seq"].get<std::uint64_t>(), i + 1);
    EXPECT_EQ(c["window"]["start"], Utc(e.start));
    const bool last = i + 1 == counts.size();
    EXPECT_EQ(c["window"]["partial"].get<bool>(), last);
    if (!last) {
      EXPECT_EQ(c["window"]["end"], Utc(e.start + 60));
    }
    EXPECT_EQ(c["frames"]["probe_requests"].get<std::uint64_t>(), e.probes);
    EXPECT_EQ(c["frames"]["malformed"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(c["frames"]["bad_fcs"].get<std::uint64_t>(), 0u);
    std::uint64_t la = 0;
    for (const auto& d : e.devices) la += LocallyAdministered(d) ? 1 : 0;
    EXPECT_EQ(c["devices"]["unique"].get<std::uint64_t>(), e.devices.size());
    EXPECT_EQ(c["devices"]["randomized_mac"].get<std::uint64_t>(), la);
    EXPECT_EQ(c["devices"]["global_mac"].get<std::uint64_t>(), e.devices.size() - la);
    // footfall.counts/2 (min_count = 0: nothing is null but a rate or dwell
    // without a closed visit): grouping addresses never adds devices, and
    // (counts/3) the people inside are devices heard in the window or the
    // 30 s before it (in the window before), published as the mean of
    // that count and the previous figure (unrounded, within 0.5 of it).
    EXPECT_LE(c["devices"]["estimated"].get<std::uint64_t>(), e.devices.size());
    const auto occupancy = static_cast<double>(c["occupancy"].get<std::uint64_t>());
    const auto devices = static_cast<double>(e.devices.size());
    EXPECT_LE(occupancy, (devices + previous_devices + previous_occupancy + 0.5) / 2 + 0.5);
    previous_devices = devices;
    previous_occupancy = occupancy;
    for (const char* key :
         {"visitors", "occupancy", "stationary", "passersby", "arrivals", "departures"}) {
      EXPECT_TRUE(c[key].is_number_unsigned()) << key;
    }
    if (e.signals.empty()) {
      EXPECT_TRUE(c["rssi_dbm"]["min"].is_null());
      EXPECT_TRUE(c["rssi_dbm"]["median"].is_null());
      EXPECT_TRUE(c["rssi_dbm"]["max"].is_null());
    } else {
      auto s = e.signals;
      std::sort(s.begin(), s.end());
      double median =
          s.size() % 2 ? s[s.size() / 2] : (s[s.size() / 2 - 1] + s[s.size() / 2]) / 2.0;
      EXPECT_EQ(c["rssi_dbm"]["min"].get<int>(), s.front());
      EXPECT_EQ(c["rssi_dbm"]["max"].get<int>(), s.back());
      EXPECT_DOUBLE_EQ(c["rssi_dbm"]["median"].get<double>(), median);
    }
  }
  // The last, partial window ends at the last frame's time.
  EXPECT_EQ(counts.back()["window"]["end"].get<std::string>().substr(0, 19),
            Utc(probes.back().ts_us / 1000000).substr(0, 19));

  // No MAC of the capture in any output, in any common textual form.
  std::string everything = Out() + Err() + sub.raw_output() + ReadFile(dir_.File("state/seq"));
  std::set<std::string> macs;
  for (const auto& p : probes) macs.insert(p.sa);
  int hits = 0;
  for (const auto& mac : macs) {
    std::string plain;
    for (char ch : mac)
      if (ch != ':') plain += ch;
    std::vector<std::string> forms = {
        mac, plain, plain.substr(0, 4) + "." + plain.substr(4, 4) + "." + plain.substr(8, 4)};
    std::string dashed = mac;
    std::replace(dashed.begin(), dashed.end(), ':', '-');
    forms.push_back(dashed);
    forms.push_back(mac.substr(9));  // the last three bytes, "dd:ee:ff"
    std::string raw;
    for (int b = 0; b < 6; ++b)
      raw += static_cast<char>(std::stoi(plain.substr(b * 2, 2), nullptr, 16));
    for (auto f : forms) {
      for (int upper = 0; upper < 2; ++upper) {
        std::string g = f;
        for (auto& ch : g) ch = upper ? static_cast<char>(std::toupper(ch)) : ch;
        if (everything.find(g) != std::string::npos) ++hits;
      }
    }
    if (everything.find(raw) != std::string::npos) ++hits;
  }
  EXPECT_EQ(hits, 0) << "MAC addresses found in footfalld's output (not printed here)";
  EXPECT_NE(Err().find("trace: probe request"), std::string::npos)
      << "log level trace was not in effect";
}

TEST_F(FootfalldTest, SequenceContinuesAcrossRuns) {
  const std::string capture =
      CapturesDir() + "/real/Diegomangasco+Argo__thesis_tests__G_test_6-7.pcap";
  Broker broker;
  Subscriber sub(broker.port(), "footfall/store-7/door/counts");
  auto config = WriteConfig(dir_, "file:" + capture, broker.port());
  for (int run = 0; run < 2; ++run) {
    auto proc = Start({"--config", config});
    ASSERT_EQ(ExitCode(proc->Wait(seconds(60))), 0) << Err();
  }
  // G_test_6-7 spans 107 s: two or three one-minute windows per run.
  auto msgs = sub.WaitFor([](const auto& m) { return m.size() >= 4; }, seconds(10));
  auto counts = CountsOf(msgs);
  ASSERT_GE(counts.size(), 4u);
  ASSERT_EQ(counts.size() % 2, 0u);
  for (size_t i = 0; i < counts.size(); ++i)
    EXPECT_EQ(counts[i]["seq"].get<std::uint64_t>(), i + 1);
  // Both runs saw the same frames and report the same counts; the pseudonym
  // keys differ per run, which the counts do not reveal.
  size_t half = counts.size() / 2;
  for (size_t i = 0; i < half; ++i) {
    EXPECT_EQ(counts[i]["devices"], counts[i + half]["devices"]);
    EXPECT_EQ(counts[i]["frames"], counts[i + half]["frames"]);
  }
}

TEST_F(FootfalldTest, BrokerAbsentAtStartMessagesDeliveredWhenItComes) {
  const std::string capture = CapturesDir() + kArgoF;
  Broker broker;
  broker.Stop();
  auto config =
      WriteConfig(dir_, "file:" + capture, broker.port(), {"", "drain_timeout_s = 60\n", ""});
  auto proc = Start({"--config", config});
  std::this_thread::sleep_for(seconds(2));
  EXPECT_TRUE(proc->running()) << "footfalld must wait for the broker, not give up: " << Err();
  broker.Start();
  int st = proc->Wait(seconds(60));
  ASSERT_EQ(ExitCode(st), 0) << Err();
  // Count what the broker logged as received from footfalld: every window.
  std::string log = broker.log();
  EXPECT_NE(log.find("footfall/store-7/door/status"), std::string::npos);
  size_t received = 0;
  for (size_t pos = 0;
       (pos = log.find("PUBLISH from footfall-store-7-door", pos)) != std::string::npos; ++pos) {
    if (log.find("footfall/store-7/door/counts", pos) < log.find('\n', pos)) ++received;
  }
  EXPECT_EQ(received, 28u) << "F_test_1 spans 28 one-minute windows";
}

TEST_F(FootfalldTest, UndeliverableMessagesGiveExit69AfterDrainTimeout) {
  const std::string capture = CapturesDir() + kArgoF;
  int port = FreeTcpPort();  // nothing listens there
  auto config = WriteConfig(dir_, "file:" + capture, port, {"", "drain_timeout_s = 2\n", ""});
  auto proc = Start({"--config", config});
  int st = proc->Wait(seconds(30));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 69);
  EXPECT_NE(Err().find("not acknowledged"), std::string::npos) << Err();
}

TEST_F(FootfalldTest, SigtermPublishesPartialWindowAndExitsZero) {
  // F_test_1 at real-time speed lasts 27 minutes; stop it after a few seconds.
  const std::string capture = CapturesDir() + kArgoF;
  Broker broker;
  Subscriber sub(broker.port(), "footfall/#");
  auto config = WriteConfig(dir_, "file:" + capture, broker.port(), {"speed = 1\n", "", ""});
  auto proc = Start({"--config", config});
  sub.WaitFor([](const auto& m) { return !m.empty(); }, seconds(10));  // "online"
  std::this_thread::sleep_for(seconds(2));
  proc->Signal(SIGTERM);
  int st = proc->Wait(seconds(30));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 0) << Err();
  auto msgs = sub.WaitFor([](const auto& m) { return !m.empty() && m.back().payload == "offline"; },
                          seconds(10));
  EXPECT_EQ(PayloadsOn(msgs, "footfall/store-7/door/status"),
            (std::vector<std::string>{"online", "offline"}));
  EXPECT_EQ(SchemaViolations(msgs), std::vector<std::string>{});
  auto counts = CountsOf(msgs);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_TRUE(counts[0]["window"]["partial"].get<bool>());
  EXPECT_EQ(counts[0]["window"]["start"], "2022-03-01T10:57:00Z");
  EXPECT_GE(counts[0]["frames"]["probe_requests"].get<int>(), 1);
}

TEST_F(FootfalldTest, ConfigErrorsExit78WithFileLineAndKey) {
  std::string path = dir_.File("bad.toml");
  WriteFile(path, "[sensor]\nsite = \"ok\"\n\n[windows]\nlength_s = 0\n\n[mqtt]\nqos = 7\n");
  auto proc = Start({"--config", path});
  int st = proc->Wait(seconds(10));
  EXPECT_EQ(ExitCode(st), 78);
  EXPECT_NE(Err().find(path + ":5:"), std::string::npos) << Err();
  EXPECT_NE(Err().find("windows.length_s"), std::string::npos) << Err();
  EXPECT_NE(Err().find(path + ":8:"), std::string::npos) << Err();
  EXPECT_NE(Err().find("mqtt.qos"), std::string::npos) << Err();
  EXPECT_NE(Err().find("capture.source"), std::string::npos) << "missing source: " << Err();

  auto check = Start({"--check-config", "--config", path});
  EXPECT_EQ(ExitCode(check->Wait(seconds(10))), 78);
}

TEST_F(FootfalldTest, CheckConfigAcceptsTheShippedConfig) {
  auto proc = Start({"--check-config", "--config", SourceDir() + "/config/footfall.toml"});
  EXPECT_EQ(ExitCode(proc->Wait(seconds(10))), 0) << Err();
}

TEST_F(FootfalldTest, VersionNamesLibraries) {
  auto proc = Start({"--version"});
  EXPECT_EQ(ExitCode(proc->Wait(seconds(10))), 0);
  std::string out = Out();
  EXPECT_NE(out.find("footfalld "), std::string::npos);
  EXPECT_NE(out.find("libpcap version 1.10"), std::string::npos) << out;
  EXPECT_NE(out.find("libsodium 1.0"), std::string::npos) << out;
  EXPECT_NE(out.find("Paho MQTT C++"), std::string::npos) << out;
}

TEST_F(FootfalldTest, NonWifiLinkTypeIsAClearStartupError) {
  // An Ethernet capture (link type 1) made here.
  std::string pcap = dir_.File("ethernet.pcap");
  PcapRecord r;
  r.ts_us = 1700000000000000;
  r.bytes.assign(60, 0);
  WritePcap(pcap, 1, {r});
  Broker broker;
  auto config = WriteConfig(dir_, "file:" + pcap, broker.port());
  auto proc = Start({"--config", config});
  int st = proc->Wait(seconds(20));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 78) << "a source that cannot be used is a configuration error";
  EXPECT_NE(Err().find("link type 1 (EN10MB)"), std::string::npos) << Err();
}

TEST_F(FootfalldTest, MissingInterfaceIsWaitedForWithAClearWarning) {
  // Not fatal: a USB dongle may be plugged in later (live_capture_test.cc
  // shows the capture starting when it appears).
  Broker broker;
  auto config = WriteConfig(dir_, "pcap:footfall-nope0", broker.port());
  auto proc = Start({"--config", config});
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (Err().find("footfalld started") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(proc->running()) << Err();
  EXPECT_NE(Err().find("warning: pcap:footfall-nope0: no such interface"), std::string::npos)
      << Err();
  EXPECT_NE(Err().find("iw phy"), std::string::npos) << Err();
  proc->Signal(SIGTERM);
  const int st = proc->Wait(seconds(30));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 0) << Err();
}

TEST_F(FootfalldTest, TruncatedCaptureIsReadUpToTheCutAndPublished) {
  // libpcap stops with an error after 20,056 records (real.tsv); 128 probe
  // requests of link type 105 come before it.
  const std::string capture =
      CapturesDir() + "/real/aircrack-ng+aircrack-ng__pmkid-not-recognized.cap";
  Broker broker;
  Subscriber sub(broker.port(), "footfall/store-7/door/counts");
  auto config = WriteConfig(dir_, "file:" + capture, broker.port(),
                            {"", "", "[windows]\nlength_s = 86400\n"});
  auto proc = Start({"--config", config});
  ASSERT_EQ(ExitCode(proc->Wait(seconds(60))), 0) << Err();
  EXPECT_NE(Err().find("stopped reading after 20056 records"), std::string::npos) << Err();
  auto counts = CountsOf(sub.WaitFor([](const auto& m) { return !m.empty(); }, seconds(10)));
  std::uint64_t probes = 0;
  for (const auto& c : counts) probes += c["frames"]["probe_requests"].get<std::uint64_t>();
  EXPECT_EQ(probes, 128u);
}

}  // namespace
}  // namespace footfall::testing
