// Purpose: unaligned little- and big-endian loads and stores, the one home of
// byte order: the frame parsers, tools/anonymize, the CRC-32, the
// pseudonymizer's digests and the message journal's records. Radiotap, PPI
// and 802.11 are little-endian, AVS is big-endian, Prism and the pcap and
// pcapng file headers are in the byte order of the host that wrote them
// (chosen at run time: the `big_endian` overloads).
#pragma once

#include <cstdint>

namespace footfall {

inline std::uint16_t LoadLe16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

inline std::uint32_t LoadLe32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

inline std::uint64_t LoadLe64(const std::uint8_t* p) {
  const std::uint64_t lo = LoadLe32(p);
  const std::uint64_t hi = LoadLe32(p + 4);
  return lo | hi << 32;
}

inline std::uint16_t LoadBe16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

inline std::uint32_t LoadBe32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]);
}

inline std::uint16_t Load16(const std::uint8_t* p, bool big_endian) {
  return big_endian ? LoadBe16(p) : LoadLe16(p);
}

inline std::uint32_t Load32(const std::uint8_t* p, bool big_endian) {
  return big_endian ? LoadBe32(p) : LoadLe32(p);
}

inline void StoreLe16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}

inline void StoreLe32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

inline void StoreLe64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

inline void Store32(std::uint8_t* p, std::uint32_t v, bool big_endian) {
  for (int i = 0; i < 4; ++i) {
    const int shift = big_endian ? 24 - 8 * i : 8 * i;
    p[i] = static_cast<std::uint8_t>(v >> shift);
  }
}

}  // namespace footfall
