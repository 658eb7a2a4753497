// Purpose: libFuzzer target aimed at the radiotap header (link type 127):
// present-bitmap chains, namespaces, field alignment and the Flags/FCS logic.
// To keep the fuzzer's effort on the header, an input can ask for the header
// to be made self-consistent and followed by a valid probe request, so that
// every mutation of the bitmaps and fields still reaches the 802.11 and
// pseudonymizer path. The invariants are those of frame_path.h.
//
// Input format (make_corpus.py writes the seed corpus in it):
//   byte 0: control bits
//     0x01  synthesize: bytes 1.. are a radiotap header only; its it_len is
//           set to their count and a fixed probe request is appended;
//     0x02  (with 0x01) the probe request is followed by its FCS;
//     0x04  (with 0x02) ... by a wrong FCS;
//     0x08  the frame was cut by the snap length (on the air 64 bytes longer).
//     Without 0x01, bytes 1.. are radiotap header + 802.11 frame as captured.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/crc32.h"
#include "frame_path.h"

namespace {

constexpr int kLinkTypeRadiotap = 127;

// A probe request as phones send it: broadcast, from a locally administered
// dummy address, wildcard SSID, a few rates, DS parameter set (channel 6).
constexpr std::uint8_t kProbeRequest[] = {
    0x40, 0x00, 0x00, 0x00,              // frame control, duration
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // addr1: broadcast
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // addr2: dummy transmitter
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // addr3: wildcard BSSID
    0x10, 0x00,                          // sequence control
    0x00, 0x00,                          // SSID (wildcard)
    0x01, 0x04, 0x02, 0x04, 0x0b, 0x16,  // supported rates
    0x32, 0x04, 0x0c, 0x12, 0x18, 0x24,  // extended supported rates
    0x03, 0x01, 0x06,                    // DS parameter set
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::uint8_t* rest = data + 1;
  const std::size_t rest_len = size - 1;
  const std::size_t cut = (control & 0x08) != 0 ? 64 : 0;
  if ((control & 0x01) == 0 || rest_len < 4 || rest_len > 0xFFFF) {
    footfall::fuzz::RunFramePath(kLinkTypeRadiotap, rest, rest_len, rest_len + cut);
    return 0;
  }
  std::vector<std::uint8_t> frame(rest, rest + rest_len);
  frame[2] = static_cast<std::uint8_t>(rest_len & 0xFF);  // it_len, little-endian
  frame[3] = static_cast<std::uint8_t>(rest_len >> 8);
  frame.insert(frame.end(), std::begin(kProbeRequest), std::end(kProbeRequest));
  if ((control & 0x02) != 0) {
    std::uint32_t fcs = footfall::Crc32Portable(kProbeRequest, sizeof kProbeRequest);
    if ((control & 0x04) != 0) fcs ^= 0x00010000u;
    for (int i = 0; i < 4; ++i) frame.push_back(static_cast<std::uint8_t>(fcs >> (8 * i)));
  }
  footfall::fuzz::RunFramePath(kLinkTypeRadiotap, frame.data(), frame.size(), frame.size() + cut);
  return 0;
}
