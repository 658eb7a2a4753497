// Purpose: tests of daemon::FramePath (daemon/frame_path.h) on its own, with
// a real pseudonymizer under the tests' fixed keys (tests/support), a real
// window counter and signal view, and frames built here: a probe request
// under the signal floor is counted and the pseudonymizer is never asked for;
// a counted one is hashed from the right address and leaves nothing of the
// frame in the buffer; a second radio's copy is dropped, the same source's
// repeat kept; malformed and bad-FCS frames are counted and skipped; a
// reload's floor applies from the next frame; the buffer is wiped even when
// the key source fails. The made-up addresses are never printed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "capture/mac_address.h"
#include "capture/test_frames.h"
#include "daemon/frame_path.h"
#include "hashing/rotation.h"
#include "support/key_sources.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using capture::AllZero;
using std::chrono::milliseconds;

// Bare 802.11 after a radiotap header with Flags and a dBm signal (or no
// signal field): a probe request from 02:00:5e:10:00:<device> (randomized)
// with a wildcard SSID and one rate. `flags` 0x40: the driver says the FCS is bad.
std::vector<std::uint8_t> Probe(std::uint8_t device, std::optional<int> signal,
                                std::uint16_t sequence = 7, std::uint8_t flags = 0) {
  std::vector<std::uint8_t> b;
  if (signal) {
    b = {0, 0, 10, 0, 0x22, 0, 0, 0, flags, static_cast<std::uint8_t>(*signal)};
  } else {
    b = {0, 0, 9, 0, 0x02, 0, 0, 0, flags};
  }
  const std::uint8_t seq_lo = static_cast<std::uint8_t>(sequence << 4);
  const std::uint8_t seq_hi = static_cast<std::uint8_t>(sequence >> 4);
  const std::uint8_t header[24] = {0x40, 0,    0,    0,    0xff, 0xff, 0xff,   0xff,
                                   0xff, 0xff, 0x02, 0x00, 0x5e, 0x10, 0x00,   device,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, seq_lo, seq_hi};
  b.insert(b.end(), header, header + sizeof header);
  const std::uint8_t ies[] = {0, 0, 1, 1, 0x02};
  b.insert(b.end(), ies, ies + sizeof ies);
  return b;
}

capture::MacAddress AddressOf(std::uint8_t device) {
  const std::uint8_t bytes[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, device};
  return capture::MacAddress(bytes);
}

class FramePathUnitTest : public ::testing::Test {
 protected:
  const capture::TimePoint t0_ = footfall::testing::Utc(2026, 3, 1, 10, 0, 0);

  std::unique_ptr<hashing::Pseudonymizer> MakeKeys() const {
    return std::make_unique<hashing::Pseudonymizer>(
        hashing::Algorithm::kSipHash24, hashing::MakePeriodicSchedule(std::chrono::hours(24)),
        std::make_unique<footfall::testing::TestKeySource>(), t0_);
  }

  // A path with `options` over this fixture's pseudonymizer, windows,
  // signal view and counters; counts how often it asks for the key.
  FramePath MakePath(FramePathOptions options) {
    return FramePath(
        options,
        [this](capture::TimePoint t) -> hashing::Pseudonymizer& {
          ++keys_asked_;
          if (key_source_fails_) throw std::runtime_error("key source failed");
          keys_->AdvanceTo(t);
          return *keys_;
        },
        windows_, signal_, counters_);
  }

  FrameOutcome Run(FramePath& path, std::vector<std::uint8_t>& bytes, capture::TimePoint t,
                   std::size_t source = 0) {
    capture::RawFrame f;
    f.time = t;
    f.link_type = 127;
    f.data = bytes.data();
    f.caplen = f.wirelen = bytes.size();
    f.source_index = source;
    return path.Process(f);
  }

  // Closes the window of t0_ and returns it.
  analytics::WindowReport CloseWindow() {
    windows_.AdvanceTo(t0_ + std::chrono::minutes(1));
    EXPECT_EQ(reports_.size(), 1u);
    return reports_.empty() ? analytics::WindowReport{} : reports_.back();
  }

  std::unique_ptr<hashing::Pseudonymizer> keys_ = MakeKeys();
  int keys_asked_ = 0;
  bool key_source_fails_ = false;
  std::vector<analytics::WindowReport> reports_;
  analytics::WindowCounter windows_{
      std::chrono::seconds(60),
      [this](const analytics::WindowReport& r) { reports_.push_back(r); }};
  analytics::SignalHistogram signal_;
  RunCounters counters_;
};

TEST_F(FramePathUnitTest, AProbeUnderTheFloorIsCountedAndNeverReachesThePseudonymizer) {
  FramePathOptions options;
  options.min_rssi_dbm = -70;
  FramePath path = MakePath(options);
  std::vector<std::uint8_t> weak = Probe(1, -71);
  std::vector<std::uint8_t> unknown = Probe(2, std::nullopt);  // no signal reading
  EXPECT_EQ(Run(path, weak, t0_), FrameOutcome::kBelowFloor);
  EXPECT_EQ(Run(path, unknown, t0_ + milliseconds(500)), FrameOutcome::kBelowFloor);
  EXPECT_EQ(keys_asked_, 0) << "the key was asked for a frame under the floor";
  EXPECT_EQ(keys_->prf_evaluations(), 0u);
  EXPECT_EQ(counters_.below_rssi_floor, 2u);
  EXPECT_EQ(counters_.probe_requests, 0u);
  EXPECT_TRUE(AllZero(weak));
  EXPECT_TRUE(AllZero(unknown));
  const analytics::WindowReport w = CloseWindow();
  EXPECT_EQ(w.below_rssi_floor, 2u);
  EXPECT_EQ(w.probe_requests, 0u);
  EXPECT_EQ(w.devices, 0u);

  // At the floor: counted.
  std::vector<std::uint8_t> at = Probe(3, -70);
  EXPECT_EQ(Run(path, at, t0_ + std::chrono::minutes(1)), FrameOutcome::kCounted);
  EXPECT_EQ(keys_asked_, 1);
  EXPECT_EQ(counters_.probe_requests, 1u);
}

TEST_F(FramePathUnitTest, ACountedProbeIsHashedFromItsAddressAndNothingOfTheFrameStays) {
  FramePath path = MakePath({});
  std::vector<std::uint8_t> bytes = Probe(9, -50);
  ASSERT_FALSE(AllZero(bytes));
  EXPECT_EQ(Run(path, bytes, t0_), FrameOutcome::kCounted);
  EXPECT_TRUE(AllZero(bytes)) << "the frame was not wiped";
  EXPECT_EQ(keys_->prf_evaluations(), 1u);

  // The same address under the same fixed key: the pseudonym the window knows.
  std::unique_ptr<hashing::Pseudonymizer> same = MakeKeys();
  capture::MacAddress mac = AddressOf(9);
  const hashing::Pseudonym expected = same->Pseudonymize(mac);
  EXPECT_TRUE(expected.randomized);
  EXPECT_TRUE(windows_.people().DeviceOf(expected.value).has_value());
  capture::MacAddress other = AddressOf(10);
  EXPECT_FALSE(windows_.people().DeviceOf(same->Pseudonymize(other).value).has_value());

  // The signal view has the device at -50 dBm.
  const std::vector<analytics::SignalHistogram::Bin> bins = signal_.Snapshot(t0_);
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_EQ(bins[0].from_dbm, -50);
  EXPECT_EQ(bins[0].devices, 1u);

  const analytics::WindowReport w = CloseWindow();
  EXPECT_EQ(w.probe_requests, 1u);
  EXPECT_EQ(w.randomized_mac, 1u);
  EXPECT_EQ(w.rssi_max, -50);
}

TEST_F(FramePathUnitTest, ASecondRadiosCopyIsDroppedTheSameRadiosRepeatKept) {
  FramePathOptions options;
  options.several_sources = true;
  FramePath path = MakePath(options);
  std::vector<std::uint8_t> a = Probe(4, -60, 100);
  std::vector<std::uint8_t> b = Probe(4, -62, 100);
  std::vector<std::uint8_t> c = Probe(4, -61, 100);
  EXPECT_EQ(Run(path, a, t0_, 0), FrameOutcome::kCounted);
  EXPECT_EQ(Run(path, b, t0_ + milliseconds(3), 1), FrameOutcome::kCrossRadioCopy);
  EXPECT_TRUE(AllZero(b));
  EXPECT_EQ(Run(path, c, t0_ + milliseconds(5), 0), FrameOutcome::kCounted);
  EXPECT_EQ(counters_.cross_radio_duplicates, 1u);
  EXPECT_EQ(counters_.probe_requests, 2u);
  EXPECT_EQ(CloseWindow().probe_requests, 2u);
}

TEST_F(FramePathUnitTest, WithOneSourceNothingIsTakenForACopy) {
  FramePath path = MakePath({});
  std::vector<std::uint8_t> a = Probe(4, -60, 100);
  std::vector<std::uint8_t> b = Probe(4, -62, 100);
  EXPECT_EQ(Run(path, a, t0_, 0), FrameOutcome::kCounted);
  EXPECT_EQ(Run(path, b, t0_ + milliseconds(3), 1), FrameOutcome::kCounted);
  EXPECT_EQ(counters_.cross_radio_duplicates, 0u);
  EXPECT_EQ(counters_.probe_requests, 2u);
}

TEST_F(FramePathUnitTest, MalformedAndBadFcsFramesAreCountedAndSkipped) {
  FramePath path = MakePath({});
  std::vector<std::uint8_t> cut = Probe(5, -60);
  cut.resize(10 + 12);  // the 802.11 header cut short
  std::vector<std::uint8_t> bad = Probe(6, -60, 7, /*flags=*/0x40);
  std::vector<std::uint8_t> beacon = Probe(7, -60);
  beacon[10] = 0x80;
  EXPECT_EQ(Run(path, cut, t0_), FrameOutcome::kMalformed);
  EXPECT_EQ(Run(path, bad, t0_ + milliseconds(1)), FrameOutcome::kBadFcs);
  EXPECT_EQ(Run(path, beacon, t0_ + milliseconds(2)), FrameOutcome::kOther);
  EXPECT_TRUE(AllZero(cut));
  EXPECT_TRUE(AllZero(bad));
  EXPECT_TRUE(AllZero(beacon));
  EXPECT_EQ(keys_asked_, 0);
  EXPECT_EQ(counters_.malformed, 1u);
  EXPECT_EQ(counters_.bad_fcs, 1u);
  EXPECT_EQ(counters_.bad_fcs_flagged, 1u);
  EXPECT_EQ(counters_.bad_fcs_mismatch, 0u);
  EXPECT_EQ(counters_.other, 1u);
  EXPECT_EQ(counters_.probe_requests, 0u);
  const analytics::WindowReport w = CloseWindow();
  EXPECT_EQ(w.malformed, 1u);
  EXPECT_EQ(w.bad_fcs, 1u);
  EXPECT_EQ(w.probe_requests, 0u);
}

TEST_F(FramePathUnitTest, ANewFloorAppliesFromTheNextFrame) {
  FramePath path = MakePath({});
  std::vector<std::uint8_t> first = Probe(1, -80);
  EXPECT_EQ(Run(path, first, t0_), FrameOutcome::kCounted);
  FramePathOptions reloaded;
  reloaded.min_rssi_dbm = -75;
  path.set_options(reloaded);
  std::vector<std::uint8_t> second = Probe(1, -80, 8);
  EXPECT_EQ(Run(path, second, t0_ + milliseconds(10)), FrameOutcome::kBelowFloor);
  path.set_options({});
  std::vector<std::uint8_t> third = Probe(1, -80, 9);
  EXPECT_EQ(Run(path, third, t0_ + milliseconds(20)), FrameOutcome::kCounted);
  EXPECT_EQ(counters_.probe_requests, 2u);
  EXPECT_EQ(counters_.below_rssi_floor, 1u);
}

TEST_F(FramePathUnitTest, TheFrameIsWipedWhenTheKeySourceFails) {
  FramePath path = MakePath({});
  key_source_fails_ = true;
  std::vector<std::uint8_t> bytes = Probe(2, -50);
  EXPECT_THROW(Run(path, bytes, t0_), std::runtime_error);
  EXPECT_EQ(keys_asked_, 1);
  EXPECT_TRUE(AllZero(bytes));
  EXPECT_EQ(counters_.probe_requests, 0u);
}

}  // namespace
}  // namespace footfall::daemon
