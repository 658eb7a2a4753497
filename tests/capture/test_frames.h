// Purpose: builders of test frames, byte by byte, shared by the parser, frame
// path and fuzz tests: radiotap headers (any present words and fields, with
// explicit padding), PPI, Prism and AVS headers, 802.11 management frames
// with a made-up transmitter, and FCS appending; and checks of what the
// parser left in a buffer. All MAC addresses here are made up.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "base/crc32.h"
#include "capture/frame_parser.h"

namespace footfall::capture {

using Buffer = std::vector<std::uint8_t>;

// A made-up, locally administered unicast transmitter address.
constexpr std::array<std::uint8_t, 6> kTa = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr std::size_t kTaOffset = 10;  // addr2 inside the 802.11 header

constexpr std::uint32_t kExt = 1u << 31;
constexpr std::uint32_t kRadiotapNs = 1u << 29;
constexpr std::uint32_t kVendorNs = 1u << 30;
constexpr std::uint32_t Bit(unsigned b) { return 1u << b; }

// Little-endian (and, for AVS, big-endian) byte writer whose alignment counts
// from the first byte, as radiotap's does from the start of its header.
class Bytes final {
 public:
  Bytes& U8(std::uint8_t v) {
    b_.push_back(v);
    return *this;
  }
  Bytes& U16(std::uint16_t v) { return U8(v & 0xFF).U8(static_cast<std::uint8_t>(v >> 8)); }
  Bytes& U32(std::uint32_t v) { return U16(v & 0xFFFF).U16(static_cast<std::uint16_t>(v >> 16)); }
  Bytes& U64(std::uint64_t v) {
    return U32(v & 0xFFFFFFFFu).U32(static_cast<std::uint32_t>(v >> 32));
  }
  Bytes& Be16(std::uint16_t v) { return U8(static_cast<std::uint8_t>(v >> 8)).U8(v & 0xFF); }
  Bytes& Be32(std::uint32_t v) {
    return Be16(static_cast<std::uint16_t>(v >> 16)).Be16(v & 0xFFFF);
  }
  Bytes& Be64(std::uint64_t v) {
    return Be32(static_cast<std::uint32_t>(v >> 32)).Be32(v & 0xFFFFFFFFu);
  }
  // Pads with `fill` (not zero, so a misaligned read shows) to a multiple of n.
  Bytes& Align(std::size_t n, std::uint8_t fill = 0xEE) {
    while (b_.size() % n != 0) b_.push_back(fill);
    return *this;
  }
  Bytes& Fill(std::size_t n, std::uint8_t v) {
    b_.insert(b_.end(), n, v);
    return *this;
  }
  Bytes& Raw(const Buffer& v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
  }
  std::size_t size() const { return b_.size(); }
  Buffer& bytes() { return b_; }

 private:
  Buffer b_;
};

// Starts a radiotap header (version 0) with the given present words; fields
// are appended by the caller, then FinishRadiotap() sets it_len.
inline Bytes StartRadiotap(std::initializer_list<std::uint32_t> words) {
  Bytes rt;
  rt.U8(0).U8(0).U16(0);
  for (std::uint32_t w : words) rt.U32(w);
  return rt;
}

inline Buffer FinishRadiotap(Bytes rt) {
  Buffer b = rt.bytes();
  b[2] = static_cast<std::uint8_t>(b.size() & 0xFF);
  b[3] = static_cast<std::uint8_t>(b.size() >> 8);
  return b;
}

// The smallest radiotap header: no fields at all.
inline Buffer MinimalRadiotap() { return FinishRadiotap(StartRadiotap({0})); }

// A radiotap header with just the Flags field.
inline Buffer RadiotapWithFlags(std::uint8_t flags) {
  Bytes rt = StartRadiotap({Bit(1)});
  rt.U8(flags);
  return FinishRadiotap(rt);
}

// Standard information elements of a probe request: SSID "cafe" and rates.
inline Buffer DefaultIes() { return {0, 4, 'c', 'a', 'f', 'e', 1, 4, 0x82, 0x84, 0x8B, 0x96}; }

// An 802.11 management frame: fc, duration, addr1..3, sequence control.
inline Buffer MgmtFrame(std::uint8_t fc0, const std::array<std::uint8_t, 6>& ta, std::uint16_t seq,
                        const Buffer& body) {
  Bytes f;
  f.U8(fc0).U8(0).U16(0);
  f.Fill(6, 0xFF);  // addr1: broadcast
  for (auto b : ta) f.U8(b);
  f.Fill(6, 0xFF);                                      // addr3: wildcard BSSID
  f.U16(static_cast<std::uint16_t>((seq << 4) | 0x3));  // fragment bits must be ignored
  f.Raw(body);
  return f.bytes();
}

inline Buffer Probe(const Buffer& ies = DefaultIes(), std::uint16_t seq = 0xABC) {
  return MgmtFrame(0x40, kTa, seq, ies);
}

inline Buffer WithFcs(Buffer frame) {
  const std::uint32_t fcs = Crc32(frame.data(), frame.size());
  for (int i = 0; i < 4; ++i) frame.push_back(static_cast<std::uint8_t>(fcs >> (8 * i)));
  return frame;
}

inline Buffer Concat(const Buffer& a, const Buffer& b) {
  Buffer out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline ParseResult Parse(Buffer& b, int link_type = kLinkTypeRadiotap, std::size_t wirelen = 0) {
  return ParseFrame(link_type, b.data(), b.size(), wirelen == 0 ? b.size() : wirelen);
}

inline bool SameAsTa(const std::uint8_t* p) { return std::memcmp(p, kTa.data(), kTa.size()) == 0; }
inline bool AllZero(const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}
inline bool AllZero(const std::vector<std::uint8_t>& b) { return AllZero(b.data(), b.size()); }

// ---- PPI (192) -------------------------------------------------------------

// The contents of a PPI 802.11-common field (type 2, 20 bytes).
struct PpiCommon {
  std::uint64_t tsf = 0;
  std::uint16_t flags = 0;  // 0x1 FCS at end, 0x2 TSF in ms, 0x4 FCS invalid
  std::uint16_t rate = 2;   // 500 kb/s units
  std::uint16_t frequency = 0;
  std::uint16_t channel_flags = 0;
  std::int8_t signal = -128;  // -128: none
  std::int8_t noise = -128;
};

struct PpiField {
  std::uint16_t type;
  Buffer data;
};

inline PpiField CommonField(const PpiCommon& c) {
  Bytes f;
  f.U64(c.tsf).U16(c.flags).U16(c.rate).U16(c.frequency).U16(c.channel_flags).U8(1).U8(2);
  f.U8(static_cast<std::uint8_t>(c.signal)).U8(static_cast<std::uint8_t>(c.noise));
  return {2, f.bytes()};
}

// A PPI header with `fields`; `aligned` sets flag bit 0 and pads every field
// to a multiple of 4 bytes (counted from the start of the header).
inline Buffer PpiHeader(const std::vector<PpiField>& fields, bool aligned = false,
                        std::uint32_t dlt = kLinkTypeIeee80211) {
  Bytes h;
  h.U8(0).U8(aligned ? 1 : 0).U16(0).U32(dlt);
  for (const PpiField& f : fields) {
    h.U16(f.type).U16(static_cast<std::uint16_t>(f.data.size())).Raw(f.data);
    if (aligned) h.Align(4, 0);
  }
  Buffer b = h.bytes();
  b[2] = static_cast<std::uint8_t>(b.size() & 0xFF);
  b[3] = static_cast<std::uint8_t>(b.size() >> 8);
  return b;
}

// ---- Prism (119) ------------------------------------------------------------

constexpr std::uint32_t kPrismMsgcode = 0x44;  // DIDs 0x000N0044
struct PrismItem {
  std::uint32_t did;
  std::uint16_t status;  // 0: has a value
  std::uint32_t data;
};

// A Prism header (msgcode, msglen, devname, items) in either byte order.
inline Buffer PrismHeader(const std::vector<PrismItem>& items, bool big_endian = false,
                          std::uint32_t msgcode = kPrismMsgcode) {
  Bytes h;
  const auto u32 = [&](std::uint32_t v) { big_endian ? h.Be32(v) : h.U32(v); };
  const auto u16 = [&](std::uint16_t v) { big_endian ? h.Be16(v) : h.U16(v); };
  u32(msgcode);
  u32(static_cast<std::uint32_t>(24 + 12 * items.size()));
  const char name[16] = "wlan0";
  for (char c : name) h.U8(static_cast<std::uint8_t>(c));
  for (const PrismItem& item : items) {
    u32(item.did);
    u16(item.status);
    u16(4);
    u32(item.data);
  }
  return h.bytes();
}

// The usual ten items of a 144-byte Prism header (msgcode 0x44), with the
// given signal (dBm) and channel number; the others hold dummy values.
inline Buffer StandardPrism(std::int32_t signal, std::uint32_t channel, bool big_endian = false) {
  std::vector<PrismItem> items;
  for (std::uint32_t n = 1; n <= 10; ++n) {
    std::uint32_t value = 1000 + n;
    if (n == 3) value = channel;
    if (n == 6) value = static_cast<std::uint32_t>(signal);
    items.push_back({(n << 16) | 0x44, 0, value});
  }
  return PrismHeader(items, big_endian);
}

// ---- AVS (163) ----------------------------------------------------------------

constexpr std::uint32_t kAvsSsiDbm = 2;
// An AVS capture header (big-endian), version 1 (64 bytes) or 2 (80 bytes).
inline Buffer AvsHeader(std::uint32_t channel, std::uint32_t ssi_type, std::int32_t signal,
                        std::uint32_t version = 1) {
  Bytes h;
  h.Be32(0x80211000u | version).Be32(version == 1 ? 64 : 80);
  h.Be64(123456).Be64(654321);                       // mactime, hosttime
  h.Be32(4).Be32(channel).Be32(10).Be32(0).Be32(0);  // phytype .. priority
  h.Be32(ssi_type).Be32(static_cast<std::uint32_t>(signal)).Be32(0xFFFFFFFFu);  // noise: none
  h.Be32(2).Be32(1);  // preamble, encoding
  if (version == 2) h.Be32(1).Be32(0).Fill(6, 0x00).Fill(2, 0);
  return h.bytes();
}

}  // namespace footfall::capture
