// Purpose: the IEEE 802.3 CRC-32 that protects every 802.11 frame (its FCS):
// reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
// Slice-by-8 over eight 256-entry tables computed at compile time, so checking
// the FCS of a probe request costs a few nanoseconds and never allocates.
#include <array>
#include <cstddef>
#include <cstdint>

#include "capture/frame_parser.h"

namespace footfall::capture {
namespace {

constexpr std::uint32_t kPolynomial = 0xEDB88320u;

using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr CrcTables MakeTables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < t.size(); ++k) {
    for (std::size_t i = 0; i < 256; ++i) {
      const std::uint32_t prev = t[k - 1][i];
      t[k][i] = (prev >> 8) ^ t[0][prev & 0xFFu];
    }
  }
  return t;
}

constexpr CrcTables kTables = MakeTables();
static_assert(kTables[0][1] == 0x77073096u, "CRC-32 table");

inline std::uint32_t LoadLe32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

}  // namespace

std::uint32_t Crc32(const std::uint8_t* data, std::size_t len) {
  std::uint32_t crc = 0xFFFFFFFFu;
  if (data == nullptr) return 0;  // CRC of nothing: ~0 ^ ~0
  while (len >= 8) {
    const std::uint32_t lo = crc ^ LoadLe32(data);
    const std::uint32_t hi = LoadLe32(data + 4);
    crc = kTables[7][lo & 0xFFu] ^ kTables[6][(lo >> 8) & 0xFFu] ^ kTables[5][(lo >> 16) & 0xFFu] ^
          kTables[4][lo >> 24] ^ kTables[3][hi & 0xFFu] ^ kTables[2][(hi >> 8) & 0xFFu] ^
          kTables[1][(hi >> 16) & 0xFFu] ^ kTables[0][hi >> 24];
    data += 8;
    len -= 8;
  }
  while (len-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *data++) & 0xFFu];
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace footfall::capture
