// Purpose: requirement 1 at its source: once a frame is parsed, the
// transmitter address is gone from the capture buffer (it lives on only in
// the MacAddress handed to the pseudonymizer), for a valid probe request and
// for one rejected for its FCS alike. A made-up address is used.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/crc32.h"
#include "capture/frame_parser.h"

namespace footfall::capture {
namespace {

constexpr std::uint8_t kTa[6] = {0x3c, 0x22, 0xfb, 0x9a, 0xbc, 0xde};
constexpr std::size_t kRadiotapLen = 10;
constexpr std::size_t kTaOffset = kRadiotapLen + 10;  // radiotap, fc, duration, addr1

// Radiotap (dBm signal -50) + probe request from kTa, with a correct FCS or a
// wrong one.
std::vector<std::uint8_t> Frame(bool good_fcs) {
  // Radiotap: 10 bytes, present = flags (bit 1) and dBm signal (bit 5);
  // flags 0x10: the frame ends with an FCS; signal -50 dBm.
  std::vector<std::uint8_t> f = {
      0, 0, kRadiotapLen, 0, 0x22, 0, 0, 0, 0x10, static_cast<std::uint8_t>(-50)};
  std::vector<std::uint8_t> body = {0x40, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  body.insert(body.end(), kTa, kTa + 6);
  const std::uint8_t rest[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0, 1, 1, 0x82};
  body.insert(body.end(), rest, rest + sizeof rest);
  std::uint32_t fcs = Crc32(body.data(), body.size());
  if (!good_fcs) fcs ^= 1;
  for (int i = 0; i < 4; ++i) body.push_back(static_cast<std::uint8_t>(fcs >> (8 * i)));
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

bool TaInBuffer(const std::vector<std::uint8_t>& f) {
  return std::search(f.begin(), f.end(), kTa, kTa + 6) != f.end();
}

TEST(AddressWipeTest, ParsingTakesTheAddressOutOfTheBuffer) {
  std::vector<std::uint8_t> f = Frame(true);
  ASSERT_TRUE(TaInBuffer(f));
  ParseResult r = ParseFrame(kLinkTypeRadiotap, f.data(), f.size(), f.size());
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest) << (r.reason ? r.reason : "");
  EXPECT_TRUE(std::equal(kTa, kTa + 6, r.probe.transmitter.data()));
  EXPECT_FALSE(TaInBuffer(f)) << "the address is still in the capture buffer";
  EXPECT_TRUE(std::all_of(f.begin() + kTaOffset, f.begin() + kTaOffset + 6,
                          [](std::uint8_t b) { return b == 0; }));
  r.probe.transmitter.Wipe();
  EXPECT_TRUE(r.probe.transmitter.empty());
}

TEST(AddressWipeTest, ARejectedProbeRequestLosesItsAddressToo) {
  std::vector<std::uint8_t> f = Frame(false);
  ParseResult r = ParseFrame(kLinkTypeRadiotap, f.data(), f.size(), f.size());
  ASSERT_EQ(r.frame_class, FrameClass::kBadFcs);
  EXPECT_FALSE(TaInBuffer(f));
}

}  // namespace
}  // namespace footfall::capture
