// Purpose: libFuzzer target for the whole frame path, from raw bytes and a
// link type to the counted probe request: footfalld's daemon::FramePath
// (parse -> signal floor -> pseudonymize -> cross-radio dedup -> fingerprint
// -> WindowCounter), with the invariants of frame_path.h.
//
// Input format (make_corpus.py writes the seed corpus in it):
//   byte 0, bits 0-2: link type, an index into kLinkTypes (radiotap, bare
//                     802.11, PPI, Prism, AVS, and unsupported ones);
//   byte 0, bits 3-7: n, how much longer the frame was on the air than
//                     captured (cut by the snap length): n bytes for n < 30,
//                     65535 bytes for n = 31; n = 30 gives an inconsistent
//                     record whose length on the air is 0 (< caplen);
//   bytes 1..:        the captured frame (caplen = size - 1).
#include <cstddef>
#include <cstdint>

#include "frame_path.h"

namespace {

constexpr int kLinkTypes[8] = {
    127,  // DLT_IEEE802_11_RADIO (radiotap)
    105,  // DLT_IEEE802_11
    192,  // DLT_PPI
    119,  // DLT_PRISM_HEADER
    163,  // DLT_IEEE802_11_RADIO_AVS
    1,    // DLT_EN10MB: unsupported
    0,    // DLT_NULL: unsupported
    -1,   // nonsense
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  footfall::fuzz::InitFramePath();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int link_type = kLinkTypes[data[0] & 0x07];
  const unsigned cut = data[0] >> 3;
  const std::size_t caplen = size - 1;
  const std::size_t wirelen = cut < 30 ? caplen + cut : (cut == 30 ? 0 : caplen + 65535);
  footfall::fuzz::RunFramePath(link_type, data + 1, caplen, wirelen);
  return 0;
}
