// Purpose: end-to-end tests of footfalld's live capture on real interfaces,
// inside a network namespace made by each test (so nothing on the host is
// touched and tests can run in parallel): a veth pair for the wrong-link-type
// start-up error, and TAP devices typed IEEE 802.11 + radiotap that carry
// probe requests written by the test through the kernel, libpcap, the BPF
// filter, the parser and the pseudonymizer to a real mosquitto. The
// interface goes missing, comes back, is deleted, comes back in the wrong
// mode, goes down and up: footfalld keeps running, reports it in its systemd
// status, re-attaches and keeps counting. Two radios hearing one transmission
// count it once; frames dropped by the kernel are logged. Needs root (CI is
// root); without it these tests fail with a message saying so.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "capture/test_frames.h"
#include "integration/netns.h"
#include "support/datagram_sink.h"
#include "support/test_support.h"

namespace footfall::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Made-up transmitters (locally administered), never printed.
constexpr std::array<std::uint8_t, 6> kPhoneA = {0x02, 0xA0, 0x00, 0x00, 0x00, 0x01};
constexpr std::array<std::uint8_t, 6> kPhoneB = {0x06, 0xB0, 0x00, 0x00, 0x00, 0x02};
constexpr std::array<std::uint8_t, 6> kPhoneC = {0x0A, 0xC0, 0x00, 0x00, 0x00, 0x03};

// A probe request as a Wi-Fi card in monitor mode hands it over: radiotap
// (flags: FCS at end; channel 2437; -52 dBm), the frame, its FCS.
std::vector<std::uint8_t> ProbeFrame(const std::array<std::uint8_t, 6>& ta, std::uint16_t seq) {
  using namespace footfall::capture;  // the frame builders
  Bytes rt = StartRadiotap({Bit(1) | Bit(3) | Bit(5)});
  rt.U8(0x10).Align(2).U16(2437).U16(0x00A0).U8(static_cast<std::uint8_t>(-52));
  return Concat(FinishRadiotap(rt), WithFcs(MgmtFrame(0x40, ta, seq, DefaultIes())));
}

class LiveCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(netns_.ok()) << "live-capture tests need root and network namespaces: "
                             << netns_.error();
  }

  std::string Err() const { return ReadFile(dir_.File("stderr")); }

  // Occurrences of `needle` in footfalld's log.
  int Count(const std::string& needle) const {
    return static_cast<int>(Occurrences(Err(), needle));
  }

  // Waits until the log holds `needle` at least `times` times.
  bool WaitForLog(const std::string& needle, int times = 1, milliseconds timeout = seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Count(needle) >= times) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return Count(needle) >= times;
  }

  std::string WriteConfig(const std::string& capture, int port) {
    const std::string path = dir_.File("footfall.toml");
    WriteFile(path, "[sensor]\nsite = \"lab\"\nid = \"door\"\n\n[capture]\n" + capture +
                        "\nstats_interval_s = 1\n\n[windows]\nlength_s = 86400\n\n[privacy]\n"
                        "min_count = 0\n\n[mqtt]\nuri = \"tcp://127.0.0.1:" +
                        std::to_string(port) + "\"\ndrain_timeout_s = 10\n\n[state]\ndir = \"" +
                        dir_.File("state") + "\"\n\n[log]\nlevel = \"trace\"\n");
    return path;
  }

  std::unique_ptr<Process> Start(const std::string& config) {
    return std::make_unique<Process>(std::vector<std::string>{FootfalldPath(), "--config", config},
                                     dir_.File("stdout"), dir_.File("stderr"),
                                     std::vector<std::string>{"NOTIFY_SOCKET=" + notify_path()});
  }

  std::string notify_path() const { return dir_.File("notify"); }

  // The single (partial) counts message published at SIGTERM.
  json FinalCounts(Subscriber& sub) {
    const std::string topic = "footfall/lab/door/counts";
    const std::vector<json> counts = CountsOf(
        sub.WaitFor([&](const auto& m) { return !CountsOf(m, topic).empty(); }, seconds(10)),
        topic);
    if (!counts.empty()) return counts.front();
    ADD_FAILURE() << "no counts message: " << sub.raw_output();
    return json::object();
  }

  ScopedNetns netns_;  // first: everything below is made inside it
  TempDir dir_;
};

TEST_F(LiveCaptureTest, WrongLinkTypeAtStartIsAConfigErrorNamingInterfaceLinkTypeAndIw) {
  std::string out;
  ASSERT_EQ(RunCommand({"ip", "link", "add", "ffva", "type", "veth", "peer", "name", "ffvb"}, &out),
            0)
      << out;
  ASSERT_EQ(RunCommand({"ip", "link", "set", "ffva", "up"}, &out), 0) << out;
  auto proc = Start(WriteConfig("source = \"pcap:ffva\"", FreeTcpPort()));
  const int st = proc->Wait(seconds(20));
  ASSERT_NE(st, -1) << "footfalld must not wait for an interface of the wrong kind";
  EXPECT_EQ(ExitCode(st), 78) << Err();
  const std::string err = Err();
  EXPECT_NE(err.find("pcap:ffva"), std::string::npos) << err;
  EXPECT_NE(err.find("link type 1 (EN10MB)"), std::string::npos) << err;
  EXPECT_NE(err.find("iw phy phy0 interface add ffva type monitor"), std::string::npos) << err;
}

TEST_F(LiveCaptureTest, KeepsRunningAndReattachesWhenTheInterfaceComesAndGoes) {
  Broker broker;
  Subscriber sub(broker.port(), "footfall/#");
  DatagramSink notify(notify_path());
  auto proc = Start(WriteConfig("source = \"pcap:fft0\"", broker.port()));

  // 1. Missing at start: a warning, no exit, "DOWN" in the status.
  ASSERT_TRUE(WaitForLog("pcap:fft0: no such interface")) << Err();
  EXPECT_NE(Err().find("footfalld keeps running"), std::string::npos) << Err();
  ASSERT_TRUE(WaitForLog("footfalld started")) << Err();
  EXPECT_TRUE(proc->running());
  EXPECT_NE(notify.Text().find("READY=1\nSTATUS=pcap:fft0 DOWN for "), std::string::npos)
      << notify.Text();

  // 2. The dongle is plugged in: attached within the backoff, frames counted.
  {
    RadiotapTap tap("fft0");
    ASSERT_TRUE(tap.ok()) << tap.error();
    ASSERT_TRUE(WaitForLog("pcap:fft0: capturing, link type 127 (IEEE802_11_RADIO)")) << Err();
    ASSERT_TRUE(WaitForLog("pcap:fft0: capturing again after")) << Err();
    for (std::uint16_t seq = 1; seq <= 5; ++seq) ASSERT_TRUE(tap.Write(ProbeFrame(kPhoneA, seq)));
    ASSERT_TRUE(WaitForLog("trace: probe request:", 5)) << Err();
    EXPECT_TRUE(notify.WaitForText("STATUS=pcap:fft0 capturing", seconds(5))) << notify.Text();

    // 3. Unplugged: the interface disappears under the capture.
    ASSERT_EQ(RunCommand({"ip", "link", "del", "fft0"}), 0);
    ASSERT_TRUE(WaitForLog("pcap:fft0: capture failed: The interface disappeared")) << Err();
    EXPECT_TRUE(proc->running()) << Err();
  }
  // 4. It comes back in the wrong mode (an Ethernet-type interface): an
  // error naming the link type, and still retrying.
  {
    RadiotapTap wrong("fft0", RadiotapTap::kArphrdEther);
    ASSERT_TRUE(wrong.ok()) << wrong.error();
    ASSERT_TRUE(WaitForLog("error: pcap:fft0: link type 1 (EN10MB) is not one of footfall's"))
        << Err();
    EXPECT_NE(Err().find("still retrying"), std::string::npos) << Err();
    EXPECT_TRUE(proc->running());
  }
  // 5. Back in monitor mode: re-attached, counting again.
  RadiotapTap tap("fft0");
  ASSERT_TRUE(tap.ok()) << tap.error();
  ASSERT_TRUE(WaitForLog("pcap:fft0: capturing again after", 2)) << Err();
  for (std::uint16_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(tap.Write(ProbeFrame(kPhoneB, seq)));
  ASSERT_TRUE(WaitForLog("trace: probe request:", 8)) << Err();

  // 6. Taken down and up again (e.g. by a script or NetworkManager).
  ASSERT_EQ(RunCommand({"ip", "link", "set", "fft0", "down"}), 0);
  ASSERT_TRUE(WaitForLog("pcap:fft0: capture failed: the interface went down")) << Err();
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_EQ(RunCommand({"ip", "link", "set", "fft0", "up"}), 0);
  ASSERT_TRUE(WaitForLog("pcap:fft0: capturing again after", 3)) << Err();
  for (std::uint16_t seq = 1; seq <= 2; ++seq) ASSERT_TRUE(tap.Write(ProbeFrame(kPhoneC, seq)));
  ASSERT_TRUE(WaitForLog("trace: probe request:", 10)) << Err();
  EXPECT_EQ(Count("warning: pcap:fft0: no such interface"), 1) << "warned once: " << Err();

  // 7. A clean stop: every probe request reached the broker, once.
  proc->Signal(SIGTERM);
  const int st = proc->Wait(seconds(30));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 0) << Err();
  EXPECT_NE(Err().find("3 outages ("), std::string::npos) << Err();
  const json counts = FinalCounts(sub);
  EXPECT_EQ(counts["frames"]["probe_requests"], 10) << counts.dump();
  EXPECT_EQ(counts["frames"]["bad_fcs"], 0) << counts.dump();
  EXPECT_EQ(counts["devices"]["unique"], 3) << counts.dump();
  EXPECT_EQ(counts["devices"]["randomized_mac"], 3) << counts.dump();
  EXPECT_EQ(counts["rssi_dbm"]["max"], -52) << counts.dump();
}

TEST_F(LiveCaptureTest, TwoRadiosHearingOneTransmissionCountItOnce) {
  RadiotapTap tap0("fft0");
  RadiotapTap tap1("fft1");
  ASSERT_TRUE(tap0.ok()) << tap0.error();
  ASSERT_TRUE(tap1.ok()) << tap1.error();
  Broker broker;
  Subscriber sub(broker.port(), "footfall/#");
  auto proc = Start(WriteConfig("sources = [\"pcap:fft0\", \"pcap:fft1\"]", broker.port()));
  ASSERT_TRUE(WaitForLog("capturing, link type 127", 2)) << Err();
  ASSERT_TRUE(WaitForLog("footfalld started: pcap:fft0 + pcap:fft1")) << Err();
  // Phone A's frame 100 reaches both radios; its frame 101 only the second.
  // Phone B's frame 7 reaches both. A copy is a copy whichever radio is first.
  ASSERT_TRUE(tap0.Write(ProbeFrame(kPhoneA, 100)));
  ASSERT_TRUE(tap1.Write(ProbeFrame(kPhoneA, 100)));
  ASSERT_TRUE(tap1.Write(ProbeFrame(kPhoneA, 101)));
  ASSERT_TRUE(tap1.Write(ProbeFrame(kPhoneB, 7)));
  ASSERT_TRUE(tap0.Write(ProbeFrame(kPhoneB, 7)));
  ASSERT_TRUE(WaitForLog("trace: probe request:", 3)) << Err();
  std::this_thread::sleep_for(milliseconds(300));  // let a wrongly counted copy show
  proc->Signal(SIGTERM);
  const int st = proc->Wait(seconds(30));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 0) << Err();
  EXPECT_NE(Err().find("2 cross-radio copies counted once"), std::string::npos) << Err();
  const json counts = FinalCounts(sub);
  EXPECT_EQ(counts["frames"]["probe_requests"], 3) << counts.dump();
  EXPECT_EQ(counts["devices"]["unique"], 2) << counts.dump();
}

TEST_F(LiveCaptureTest, KernelDropsAreLoggedWithTheirIncrease) {
  RadiotapTap tap("fft0");
  ASSERT_TRUE(tap.ok()) << tap.error();
  Broker broker;
  auto proc = Start(WriteConfig("source = \"pcap:fft0\"\nbuffer_size_kib = 64", broker.port()));
  ASSERT_TRUE(WaitForLog("footfalld started")) << Err();
  // Frozen, footfalld reads nothing: the kernel's ring fills and overflows.
  proc->Signal(SIGSTOP);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(tap.Write(ProbeFrame(kPhoneA, static_cast<std::uint16_t>(i & 0xFFF))));
  }
  proc->Signal(SIGCONT);
  ASSERT_TRUE(WaitForLog("frames dropped by the kernel")) << Err();
  EXPECT_NE(Err().find("raise [capture] buffer_size_kib"), std::string::npos) << Err();
  proc->Signal(SIGTERM);
  EXPECT_EQ(ExitCode(proc->Wait(seconds(30))), 0) << Err();
}

}  // namespace
}  // namespace footfall::testing
