// Purpose: the one CRC-32 of footfall: IEEE 802.3, reflected polynomial
// 0xEDB88320, initial value and final XOR 0xFFFFFFFF. It checks every 802.11
// frame's FCS (capture/frame_parser.cc) and every record of the MQTT journal
// (transport/message_journal.cc), and writes the FCS of simulated and
// anonymized captures (tools/). Crc32() takes the fastest path the CPU has;
// Crc32Portable() is the same function by the table method only, for checking
// the fast path against it (tests/base, bench/micro_bench.cc). A checksum of
// corruption, never a hash of anything secret.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace footfall {

// The CRC-32 of `len` bytes at `data` (0 for none, also when data is null).
std::uint32_t Crc32(const std::uint8_t* data, std::size_t len);

inline std::uint32_t Crc32(std::string_view bytes) {
  return Crc32(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// The same function as Crc32(), by slice-by-8 only, whatever the CPU.
std::uint32_t Crc32Portable(const std::uint8_t* data, std::size_t len);

}  // namespace footfall
