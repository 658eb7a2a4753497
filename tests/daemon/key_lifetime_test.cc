// Purpose: tests of footfalld's key lifetime beyond the wall clock (issue 15,
// point 6) through the daemon's frame path (daemon/app.h), with injected wall
// and boot clocks: the App hands the boot clock to the pseudonymizer at every
// idle tick, so a key whose wall clock stands still is replaced once its age
// on the boot clock reaches the period, and a wall clock stepped back by more
// than a minute replaces it at once; pseudonyms change with it, and the
// analytics start a new epoch. The frames are made here; no MAC is printed.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/app.h"
#include "daemon/config.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::PcapRecord;
using footfall::testing::TempDir;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class NullPublisher final : public transport::Publisher {
 public:
  void Publish(const std::string&, std::string) override {}
  void PublishState(const std::string&, std::string) override {}
  std::size_t pending() const override { return 0; }
  bool connected() const override { return true; }
  bool Shutdown(std::chrono::milliseconds) override { return true; }
};

// A radiotap probe request from the made-up global address 00:1b:63:00:00:07.
std::vector<std::uint8_t> ProbeBytes() {
  std::vector<std::uint8_t> b = {0, 0, 9, 0, 0x20, 0, 0, 0, static_cast<std::uint8_t>(-50)};
  const std::uint8_t header[24] = {0x40, 0, 0, 0,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1b,
                                   0x63, 0, 0, 0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 0};
  b.insert(b.end(), header, header + sizeof header);
  const std::uint8_t ies[] = {0, 0, 1, 1, 0x02};
  b.insert(b.end(), ies, ies + sizeof ies);
  return b;
}

struct Rig {
  TempDir dir;
  boost::asio::io_context io;
  capture::BootTime boot = hours(3);
  std::unique_ptr<App> app;

  Rig() {
    // A replay file is needed to make the App; its frames are not used.
    PcapRecord r;
    r.ts_us = 1700000000LL * 1000000;
    r.bytes = ProbeBytes();
    r.wirelen = static_cast<std::uint32_t>(r.bytes.size());
    footfall::testing::WritePcap(dir.File("p.pcap"), 127, {r});
    const std::string text = "[capture]\nsource = \"file:" + dir.File("p.pcap") +
                             "\"\n[state]\ndir = \"" + dir.File("state") +
                             "\"\n[homeassistant]\nenabled = false\n"
                             "[hashing]\nrotate_every_s = 3600\n";
    ConfigResult c = ParseConfig(text, dir.File("t.toml"));
    EXPECT_TRUE(c.ok()) << (c.errors.empty() ? "" : c.errors.front());
    app = std::make_unique<App>(c.config, io, std::make_unique<NullPublisher>());
    app->UseBootClock([this] { return boot; });
  }

  void Frame(capture::TimePoint t) {
    std::vector<std::uint8_t> bytes = ProbeBytes();
    capture::RawFrame f;
    f.time = t;
    f.link_type = 127;
    f.data = bytes.data();
    f.caplen = f.wirelen = bytes.size();
    app->OnFrame(f);
  }
};

const capture::TimePoint kT0 = footfall::testing::Utc(2026, 3, 1, 10, 0, 10);

TEST(KeyLifetimeTest, AWallClockThatStandsStillCannotKeepTheKey) {
  Rig rig;
  rig.Frame(kT0);
  rig.app->OnIdle(kT0);  // the first boot-clock reading: the key's age counts from here
  ASSERT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(0));
  // The wall clock stays at 10:00:10 (hourly keys: next rotation 11:00);
  // one tick every 30 s on the boot clock.
  for (int s = 30; s < 3600; s += 30) {
    rig.boot += seconds(30);
    rig.app->OnIdle(kT0);
    ASSERT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(0)) << s;
  }
  rig.boot += seconds(30);
  rig.app->OnIdle(kT0);
  EXPECT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(1));
  EXPECT_EQ(rig.app->prf_evaluations(), 1u);
}

TEST(KeyLifetimeTest, AWallClockSteppedBackReplacesTheKeyAtOnce) {
  Rig rig;
  rig.Frame(kT0);
  rig.app->OnIdle(kT0);
  rig.boot += seconds(1);
  rig.app->OnIdle(kT0 + seconds(1));
  ASSERT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(0));
  // Back by two minutes.
  rig.boot += seconds(1);
  rig.app->OnIdle(kT0 - minutes(2));
  EXPECT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(1));
  // A step of half a minute is not a jump.
  rig.boot += seconds(1);
  rig.app->OnIdle(kT0 - minutes(2) - seconds(29));
  EXPECT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(1));
}

TEST(KeyLifetimeTest, AReplayWithoutABootClockFollowsTheCaptureClockOnly) {
  Rig rig;
  rig.app->UseBootClock(nullptr);
  rig.Frame(kT0);
  rig.app->OnIdle(kT0 - hours(5));  // the capture's clock going back: ignored
  EXPECT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(0));
  rig.app->OnIdle(kT0 + hours(1));
  EXPECT_EQ(rig.app->key_epoch(), std::optional<std::uint64_t>(1));
}

}  // namespace
}  // namespace footfall::daemon
