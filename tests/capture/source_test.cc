// Purpose: tests of the capture sources on the real Asio loop: file replay at
// full speed and paced, pcapng, a file cut off mid-record, files of every
// supported link type, and the start-up errors of files and live interfaces
// (wrong link type fatal, missing interface waited for).
#include "capture/source.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "support/recording_sink.h"
#include "support/test_support.h"

namespace footfall::capture {
namespace {

using footfall::testing::CapturesDir;
using footfall::testing::PcapRecord;
using footfall::testing::RecordingSink;
using footfall::testing::TempDir;
using footfall::testing::WritePcap;

TimePoint Us(std::int64_t us) { return TimePoint(std::chrono::microseconds(us)); }

std::vector<PcapRecord> ProbeLikeRecords(const std::vector<std::int64_t>& times_us) {
  std::vector<PcapRecord> out;
  for (auto t : times_us) {
    PcapRecord r;
    r.ts_us = t;
    r.bytes.assign(40, 0x40);  // contents do not matter to the source
    out.push_back(r);
  }
  return out;
}

TEST(FileSourceTest, FullSpeedDeliversEveryRecordInOrderWithItsTimestamp) {
  TempDir dir;
  std::vector<std::int64_t> times;
  for (int i = 0; i < 10000; ++i) times.push_back(1700000000000000 + i * 1500);
  WritePcap(dir.File("a.pcap"), 127, ProbeLikeRecords(times));
  boost::asio::io_context io;
  auto src = OpenSource("file:" + dir.File("a.pcap"), {}, io);
  EXPECT_TRUE(src->finite());
  EXPECT_EQ(src->name(), "file:" + dir.File("a.pcap"));
  RecordingSink sink(io);
  src->Start(sink);
  io.run();
  ASSERT_EQ(sink.times.size(), times.size());
  for (size_t i = 0; i < times.size(); ++i) ASSERT_EQ(sink.times[i], Us(times[i]));
  EXPECT_EQ(sink.ends, 1);
  EXPECT_EQ(sink.link_type, 127);
  EXPECT_EQ(src->stats().records, times.size());
}

TEST(FileSourceTest, PacedReplayKeepsTheCaptureTimingAndReportsIdleTime) {
  TempDir dir;
  // Three frames, then a 40 s gap, then one more. At 20x: about 2 s of wall time.
  const std::int64_t t0 = 1700000000000000;
  std::vector<std::int64_t> times = {t0, t0 + 100000, t0 + 200000, t0 + 40200000};
  WritePcap(dir.File("a.pcap"), 127, ProbeLikeRecords(times));
  boost::asio::io_context io;
  SourceOptions opt;
  opt.speed = 20;
  auto src = OpenSource("file:" + dir.File("a.pcap"), opt, io);
  RecordingSink sink(io);
  auto wall0 = std::chrono::steady_clock::now();
  src->Start(sink);
  io.run();
  auto wall = std::chrono::steady_clock::now() - wall0;
  ASSERT_EQ(sink.times.size(), 4u);
  // Never faster than the capture at 20x (40.2 s / 20 = 2.01 s).
  EXPECT_GE(wall, std::chrono::milliseconds(2000));
  // The gap is reported as idle time: non-decreasing, after the third frame,
  // never beyond the next frame's time.
  ASSERT_GE(sink.idles.size(), 1u);
  TimePoint prev = Us(times[2]);
  for (const auto& [t, delivered] : sink.idles) {
    EXPECT_EQ(delivered, 3u);
    EXPECT_GE(t, prev);
    EXPECT_LE(t, Us(times[3]));
    prev = t;
  }
  EXPECT_GT(sink.idles.back().first, Us(times[2] + 10000000)) << "idle time must advance";
}

TEST(FileSourceTest, ReadsPcapng) {
  // real.tsv: wireshark's owe.pcapng holds 107 frames, link type 127.
  boost::asio::io_context io;
  auto src = OpenSource("file:" + CapturesDir() + "/real/wireshark+wireshark__owe.pcapng", {}, io);
  RecordingSink sink(io);
  src->Start(sink);
  io.run();
  EXPECT_EQ(sink.times.size(), 107u);
  EXPECT_EQ(sink.link_type, 127);
}

TEST(FileSourceTest, FileCutOffMidRecordEndsAfterTheLastWholeRecord) {
  // real.tsv / README: libpcap reports an error after 20,056 records.
  boost::asio::io_context io;
  auto src = OpenSource(
      "file:" + CapturesDir() + "/real/aircrack-ng+aircrack-ng__pmkid-not-recognized.cap", {}, io);
  RecordingSink sink(io);
  src->Start(sink);
  io.run();
  EXPECT_EQ(sink.times.size(), 20056u);
  EXPECT_EQ(sink.ends, 1);
  EXPECT_EQ(sink.link_type, 105);
}

TEST(FileSourceTest, EverySupportedLinkTypeIsAccepted) {
  TempDir dir;
  for (int dlt : {105, 127, 192, 119, 163}) {
    const std::string path = dir.File(std::to_string(dlt) + ".pcap");
    WritePcap(path, dlt, ProbeLikeRecords({1700000000000000}));
    boost::asio::io_context io;
    auto src = OpenSource("file:" + path, {}, io);
    RecordingSink sink(io);
    src->Start(sink);
    io.run();
    EXPECT_EQ(sink.link_type, dlt);
    EXPECT_EQ(sink.times.size(), 1u);
  }
}

TEST(FileSourceTest, StartupErrorsNameTheProblem) {
  TempDir dir;
  boost::asio::io_context io;
  WritePcap(dir.File("eth.pcap"), 1, ProbeLikeRecords({1700000000000000}));
  try {
    OpenSource("file:" + dir.File("eth.pcap"), {}, io);
    FAIL() << "an Ethernet capture must be refused";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("link type 1 (EN10MB)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("192 (PPI)"), std::string::npos) << e.what();
  }
  try {
    OpenSource("file:" + dir.File("missing.pcap"), {}, io);
    FAIL() << "a missing file must be refused";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pcap"), std::string::npos) << e.what();
  }
  EXPECT_THROW(OpenSource("tcp:whatever", {}, io), SourceError);
  SourceOptions bad;
  bad.speed = -1;
  EXPECT_THROW(OpenSource("file:" + dir.File("eth.pcap"), bad, io), SourceError);
}

TEST(LiveSourceTest, MissingInterfaceIsWaitedForNotRefused) {
  // A dongle not plugged in yet: the source opens without it, says so, and
  // would attach once it appears (retrying_source_test.cc covers the rest).
  boost::asio::io_context io;
  auto src = OpenSource("pcap:footfall-none0", {}, io);
  EXPECT_EQ(src->name(), "pcap:footfall-none0");
  EXPECT_FALSE(src->finite());
  EXPECT_EQ(src->stats().sources_down, 1u);
  EXPECT_EQ(src->stats().outages, 1u);
  EXPECT_NE(src->status().find("DOWN"), std::string::npos) << src->status();
}

TEST(LiveSourceTest, NonWifiInterfaceIsRefusedNamingItsLinkType) {
  // The loopback interface exists everywhere and is not 802.11. Opening it
  // needs CAP_NET_RAW, which the tests (run as root in CI) have.
  boost::asio::io_context io;
  try {
    OpenSource("pcap:lo", {}, io);
    FAIL() << "the loopback interface must be refused";
  } catch (const SourceError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("pcap:lo"), std::string::npos) << what;
    EXPECT_NE(what.find("link type 1 (EN10MB)"), std::string::npos) << what;
    EXPECT_NE(what.find("iw phy"), std::string::npos) << what;
    EXPECT_NE(what.find("monitor"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace footfall::capture
