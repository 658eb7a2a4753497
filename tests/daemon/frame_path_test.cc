// Purpose: tests of footfalld's frame path (daemon/app.h) on a replayed
// capture made here, with an in-memory publisher: the signal floor
// ([privacy] min_rssi_dbm) drops weak frames (and frames without a signal
// reading) before they are hashed — the pseudonymizer's count of keyed-PRF
// evaluations proves they never reach it — and counts them in
// frames.below_rssi_floor; the minimum group size is applied to what is
// published; and the start-up order least privilege needs (captures and
// state opened, then the privilege hook on a single thread, then the
// publisher); and that nothing of a frame (SSIDs, addr1/addr3, any element)
// is left in the capture's buffer once the frame was used (issue 15, point
// 9). The synthetic MACs are never printed.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemon/app.h"
#include "daemon/config.h"
#include "daemon/privileges.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::PcapRecord;
using footfall::testing::TempDir;
using nlohmann::json;

class RecordingPublisher final : public transport::Publisher {
 public:
  explicit RecordingPublisher(std::vector<std::string>* counts,
                              std::map<std::string, std::string>* states = nullptr)
      : counts_(counts), states_(states) {}
  void Publish(const std::string& topic_suffix, std::string payload) override {
    if (topic_suffix == "counts") counts_->push_back(std::move(payload));
  }
  void PublishState(const std::string& topic_suffix, std::string payload) override {
    if (states_ != nullptr) (*states_)[topic_suffix] = std::move(payload);
  }
  std::size_t pending() const override { return 0; }
  bool connected() const override { return true; }
  bool Shutdown(std::chrono::milliseconds) override { return true; }

 private:
  std::vector<std::string>* counts_;
  std::map<std::string, std::string>* states_;  // the latest retained state by topic suffix
};

// A radiotap probe request from a made-up, globally administered address
// 00:00:00:00:00:<device> (each its own device: these tests are about the
// frame path, suppression and the retained states, not about grouping
// randomized addresses), with a dBm antenna signal field or none.
PcapRecord Probe(std::int64_t ts_us, std::uint8_t device, std::optional<int> signal) {
  PcapRecord r;
  r.ts_us = ts_us;
  auto& b = r.bytes;
  if (signal) {
    b = {0, 0, 9, 0, 0x20, 0, 0, 0, static_cast<std::uint8_t>(static_cast<std::int8_t>(*signal))};
  } else {
    b = {0, 0, 8, 0, 0, 0, 0, 0};
  }
  const std::uint8_t header[24] = {0x40, 0, 0, 0,      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0,
                                   0,    0, 0, device, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 0};
  b.insert(b.end(), header, header + sizeof header);
  const std::uint8_t ies[] = {0, 0, 1, 1, 0x02};  // wildcard SSID, one rate
  b.insert(b.end(), ies, ies + sizeof ies);
  r.wirelen = static_cast<std::uint32_t>(b.size());
  return r;
}

struct Capture {
  std::string path;
  std::uint64_t total = 0;
  std::uint64_t at_or_above = 0;  // frames with a signal >= the floor
};

constexpr int kFloor = -70;
constexpr std::int64_t kT0 = 1700000040LL * 1000000;  // a window start (60 s windows)

// Window 1: 40 frames of 20 devices, signals -90 .. -51, every fifth without
// a signal reading. Window 2: 2 strong devices (a small group).
Capture MakeCapture(const TempDir& dir) {
  Capture c;
  c.path = dir.File("probes.pcap");
  std::vector<PcapRecord> records;
  for (int i = 0; i < 40; ++i) {
    std::optional<int> signal;
    if (i % 5 != 0) signal = -90 + i;
    if (signal && *signal >= kFloor) ++c.at_or_above;
    records.push_back(Probe(kT0 + i * 1000000, static_cast<std::uint8_t>(i % 20), signal));
  }
  for (int i = 0; i < 4; ++i) {
    records.push_back(
        Probe(kT0 + 61000000 + i * 1000000, static_cast<std::uint8_t>(100 + i % 2), -40));
    ++c.at_or_above;
  }
  c.total = records.size();
  footfall::testing::WritePcap(c.path, 127, records);
  return c;
}

Config MakeConfig(const TempDir& dir, const std::string& capture, const std::string& privacy) {
  const std::string text = "[capture]\nsource = \"file:" + capture + "\"\n[state]\ndir = \"" +
                           dir.File("state") + "\"\n[homeassistant]\nenabled = false\n" +
                           "[privacy]\n" + privacy;
  ConfigResult r = ParseConfig(text, dir.File("t.toml"));
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
  return r.config;
}

struct RunResult {
  std::uint64_t prf_evaluations = 0;
  RunCounters counters;
  std::vector<json> counts;
};

RunResult RunApp(const Config& config) {
  boost::asio::io_context io;
  std::vector<std::string> counts;
  App app(config, io, std::make_unique<RecordingPublisher>(&counts));
  EXPECT_EQ(app.Run(), 0);
  RunResult r;
  r.prf_evaluations = app.prf_evaluations();
  r.counters = app.counters();
  for (const auto& c : counts) r.counts.push_back(json::parse(c));
  return r;
}

TEST(FramePathTest, FramesBelowTheSignalFloorNeverReachThePrf) {
  TempDir dir;
  const Capture capture = MakeCapture(dir);
  ASSERT_GT(capture.at_or_above, 0u);
  ASSERT_LT(capture.at_or_above, capture.total);

  const RunResult r =
      RunApp(MakeConfig(dir, capture.path, "min_rssi_dbm = " + std::to_string(kFloor) + "\n"));
  EXPECT_EQ(r.prf_evaluations, capture.at_or_above)
      << "a frame below the floor (or without a signal) was hashed";
  EXPECT_EQ(r.counters.below_rssi_floor, capture.total - capture.at_or_above);
  EXPECT_EQ(r.counters.probe_requests, capture.at_or_above);
  std::uint64_t published_below = 0;
  std::uint64_t published_probes = 0;
  for (const json& c : r.counts) {
    ASSERT_TRUE(c["frames"].contains("below_rssi_floor")) << c.dump();
    published_below += c["frames"]["below_rssi_floor"].get<std::uint64_t>();
    published_probes += c["frames"]["probe_requests"].get<std::uint64_t>();
    if (!c["rssi_dbm"]["min"].is_null()) {
      EXPECT_GE(c["rssi_dbm"]["min"].get<int>(), kFloor);
    }
  }
  EXPECT_EQ(published_below, capture.total - capture.at_or_above);
  EXPECT_EQ(published_probes, capture.at_or_above);
}

TEST(FramePathTest, WithoutAFloorEveryProbeIsHashedAndNoFloorCounterIsPublished) {
  TempDir dir;
  const Capture capture = MakeCapture(dir);
  const RunResult r = RunApp(MakeConfig(dir, capture.path, ""));
  EXPECT_EQ(r.prf_evaluations, capture.total);
  EXPECT_EQ(r.counters.below_rssi_floor, 0u);
  ASSERT_FALSE(r.counts.empty());
  for (const json& c : r.counts) EXPECT_FALSE(c["frames"].contains("below_rssi_floor"));
}

TEST(FramePathTest, SmallGroupsArePublishedAsNullByDefault) {
  TempDir dir;
  const Capture capture = MakeCapture(dir);
  const RunResult r = RunApp(MakeConfig(dir, capture.path, ""));  // min_count defaults to 3
  ASSERT_EQ(r.counts.size(), 2u);
  EXPECT_EQ(r.counts[0]["devices"]["unique"], 20);
  // (The 20 random addresses may be grouped into fewer than 3 estimated
  // devices, which are then hidden; the address counts are not.)
  for (const char* f : {"devices.unique", "devices.global_mac", "devices.randomized_mac"}) {
    EXPECT_EQ(r.counts[0].value("suppressed", json::array()).dump().find(f), std::string::npos)
        << r.counts[0].dump();
  }
  // The second window saw two devices: nothing about them is published.
  EXPECT_TRUE(r.counts[1]["devices"]["unique"].is_null()) << r.counts[1].dump();
  EXPECT_TRUE(r.counts[1]["rssi_dbm"]["max"].is_null());
  EXPECT_EQ(r.counts[1]["suppressed"][0], "devices.unique");

  const RunResult off = RunApp(MakeConfig(dir, capture.path, "min_count = 0\n"));
  ASSERT_EQ(off.counts.size(), 2u);
  EXPECT_EQ(off.counts[1]["devices"]["unique"], 2);
  EXPECT_FALSE(off.counts[1].contains("suppressed"));
}

TEST(FramePathTest, TodayAndSignalArePublishedAsRetainedStates) {
  TempDir dir;
  const Capture capture = MakeCapture(dir);
  boost::asio::io_context io;
  std::vector<std::string> counts;
  std::map<std::string, std::string> states;
  App app(MakeConfig(dir, capture.path, ""), io,
          std::make_unique<RecordingPublisher>(&counts, &states));
  ASSERT_EQ(app.Run(), 0);
  ASSERT_EQ(states.count("today"), 1u);
  ASSERT_EQ(states.count("signal"), 1u);
  const json today = json::parse(states["today"]);
  EXPECT_EQ(today["schema"], "footfall.today/1");
  EXPECT_EQ(today["since"], "2023-11-14T22:14:00Z");
  EXPECT_TRUE(today["complete"].get<bool>());  // the replay's epoch began with it
  // Window 1 (22:14-22:15) completed the 22:00 slot; window 2 (partial) opened the next.
  ASSERT_EQ(today["slots"].size(), 1u) << today.dump();
  EXPECT_EQ(today["slots"][0]["start"], "2023-11-14T22:00:00Z");
  EXPECT_EQ(today["slots"][0]["windows"], 1);
  EXPECT_EQ(today["slots"][0]["probe_requests"], 40);
  EXPECT_EQ(today["slots"][0]["devices_peak"], 20);
  // Strongest signals: -69 .. -51 dBm in window 1, and two devices at -40 dBm
  // in window 2, a small group: that bin is null.
  const json signal = json::parse(states["signal"]);
  EXPECT_EQ(signal["thresholds"]["visitor_rssi_dbm"], -70);
  ASSERT_FALSE(signal["bins"].empty());
  EXPECT_EQ(signal["bins"].front()["from_dbm"], -70);
  EXPECT_EQ(signal["bins"].back()["from_dbm"], -40);
  EXPECT_TRUE(signal["bins"].back()["devices"].is_null()) << signal.dump();
  EXPECT_EQ(signal["min_count"], 3);
}

TEST(FramePathTest, PrivilegeHookRunsAfterTheCaptureIsOpenAndBeforeThePublisher) {
  TempDir dir;
  const Capture capture = MakeCapture(dir);
  std::vector<std::string> order;
  std::vector<std::string> counts;
  int threads_at_hook = 0;
  boost::asio::io_context io;
  App app(
      MakeConfig(dir, capture.path, ""), io,
      [&]() -> std::unique_ptr<transport::Publisher> {
        order.push_back("publisher");
        return std::make_unique<RecordingPublisher>(&counts);
      },
      [&] {
        order.push_back("drop privileges");
        threads_at_hook = ThreadCount();
      });
  EXPECT_EQ(order, (std::vector<std::string>{"drop privileges", "publisher"}));
  EXPECT_EQ(threads_at_hook, 1) << "capabilities are per thread: nothing may start one before";
  EXPECT_EQ(app.Run(), 0);
  EXPECT_EQ(counts.size(), 2u);
}

// A directed probe request (addr1 and addr3 an access point's) asking for a
// named network, with a vendor element, from a randomized address.
std::vector<std::uint8_t> DirectedProbe() {
  std::vector<std::uint8_t> b = {0, 0, 9, 0, 0x20, 0, 0, 0, static_cast<std::uint8_t>(-48)};
  const std::uint8_t header[24] = {0x40, 0,    0,    0,    0x00, 0x11, 0x22, 0x33,
                                   0x44, 0x55, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
                                   0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x70, 0x01};
  b.insert(b.end(), header, header + sizeof header);
  const std::string ssid = "Kim's iPhone hotspot";
  b.push_back(0);
  b.push_back(static_cast<std::uint8_t>(ssid.size()));
  b.insert(b.end(), ssid.begin(), ssid.end());
  const std::uint8_t rest[] = {1, 2, 0x82, 0x84, 0xdd, 5, 0x00, 0x50, 0xf2, 0x04, 0x10};
  b.insert(b.end(), rest, rest + sizeof rest);
  return b;
}

TEST(FramePathTest, NothingOfAFrameStaysInTheCaptureBufferOnceUsed) {
  TempDir dir;
  const Capture capture = MakeCapture(dir);
  boost::asio::io_context io;
  std::vector<std::string> counts;
  App app(MakeConfig(dir, capture.path, ""), io, std::make_unique<RecordingPublisher>(&counts));
  // A probe request (hashed, fingerprinted), the same again (known
  // pseudonym), one cut short (malformed) and a beacon (other).
  std::vector<std::uint8_t> beacon = DirectedProbe();
  beacon[9] = 0x80;  // frame control: beacon
  std::vector<std::uint8_t> cut = DirectedProbe();
  cut.resize(9 + 20);
  for (std::vector<std::uint8_t> bytes : {DirectedProbe(), DirectedProbe(), cut, beacon}) {
    const std::vector<std::uint8_t> before = bytes;
    capture::RawFrame f;
    f.time = footfall::testing::Utc(2026, 3, 1, 10, 0, 0);
    f.link_type = 127;
    f.data = bytes.data();
    f.caplen = f.wirelen = bytes.size();
    app.OnFrame(f);
    EXPECT_EQ(bytes, std::vector<std::uint8_t>(bytes.size(), 0))
        << "frame of " << before.size() << " bytes not wiped";
  }
  EXPECT_EQ(app.counters().probe_requests, 2u);
  EXPECT_EQ(app.counters().malformed, 1u);
  EXPECT_EQ(app.counters().other, 1u);
  EXPECT_EQ(app.prf_evaluations(), 2u);
}

}  // namespace
}  // namespace footfall::daemon
