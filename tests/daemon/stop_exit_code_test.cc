// Purpose: footfalld's exit code when messages are still unacknowledged at the
// end: a stop by SIGTERM with every count kept in the journal is a clean stop
// (0, what systemctl stop expects); a replay that ends undelivered, or a stop
// after the journal failed, is EX_UNAVAILABLE (69). Real signals to this
// process, caught by the App's Asio signal set.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "daemon/app.h"
#include "daemon/config.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::PcapRecord;
using footfall::testing::TempDir;

// A broker that never acknowledges: Shutdown reports messages left over.
class UnacknowledgedPublisher final : public transport::Publisher {
 public:
  explicit UnacknowledgedPublisher(bool kept) : kept_(kept) {}
  void Publish(const std::string&, std::string) override { ++pending_; }
  void PublishState(const std::string&, std::string) override {}
  std::size_t pending() const override { return pending_; }
  bool connected() const override { return false; }
  bool Shutdown(std::chrono::milliseconds) override { return pending_ == 0; }
  bool pending_kept() const override { return kept_; }

 private:
  bool kept_;
  std::size_t pending_ = 0;
};

// 30 probe requests one second apart, from a made-up local address.
std::string WriteCapture(const TempDir& dir) {
  std::vector<PcapRecord> records;
  for (int i = 0; i < 30; ++i) {
    PcapRecord r;
    r.ts_us = (1700000040LL + i) * 1000000;
    r.bytes = {0, 0, 8, 0, 0, 0, 0, 0};
    const std::uint8_t frame[] = {0x40, 0,    0,    0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0x02, 0,    0,    0, 0,    1,    0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0x10, 0, 0,    0,    1,    1,    0x02};
    r.bytes.insert(r.bytes.end(), frame, frame + sizeof frame);
    r.wirelen = static_cast<std::uint32_t>(r.bytes.size());
    records.push_back(r);
  }
  const std::string path = dir.File("probes.pcap");
  footfall::testing::WritePcap(path, 127, records);
  return path;
}

// Runs the App on the capture at `speed`; with `sigterm_after`, this process
// gets a SIGTERM that long after the start. Returns the exit code.
int RunReplay(double speed, bool kept, std::optional<std::chrono::milliseconds> sigterm_after) {
  TempDir dir;
  const std::string text = "[capture]\nsource = \"file:" + WriteCapture(dir) +
                           "\"\nspeed = " + std::to_string(speed) + "\n[state]\ndir = \"" +
                           dir.File("state") + "\"\n[homeassistant]\nenabled = false\n" +
                           "[mqtt]\ndrain_timeout_s = 1\n";
  ConfigResult c = ParseConfig(text, dir.File("t.toml"));
  EXPECT_TRUE(c.ok()) << (c.errors.empty() ? "" : c.errors.front());
  boost::asio::io_context io;
  App app(c.config, io, std::make_unique<UnacknowledgedPublisher>(kept));
  std::thread killer;
  if (sigterm_after) {
    killer = std::thread([d = *sigterm_after] {
      std::this_thread::sleep_for(d);
      kill(getpid(), SIGTERM);
    });
  }
  const int code = app.Run();
  if (killer.joinable()) killer.join();
  return code;
}

TEST(StopExitCodeTest, SigtermWithEveryCountKeptIsACleanStop) {
  EXPECT_EQ(RunReplay(1.0, /*kept=*/true, std::chrono::milliseconds(1500)), 0);
}

TEST(StopExitCodeTest, SigtermAfterTheJournalFailedIsUnavailable) {
  EXPECT_EQ(RunReplay(1.0, /*kept=*/false, std::chrono::milliseconds(1500)), 69);
}

TEST(StopExitCodeTest, AReplayEndingUndeliveredIsUnavailable) {
  EXPECT_EQ(RunReplay(0, /*kept=*/true, std::nullopt), 69);
}

}  // namespace
}  // namespace footfall::daemon
