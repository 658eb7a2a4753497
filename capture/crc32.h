// Purpose: the reference implementation of the 802.11 FCS CRC-32 behind
// Crc32() (frame_parser.h), for checking the accelerated path against it
// (bench/micro_bench.cc, tests): slice-by-8 only, whatever the CPU.
#pragma once

#include <cstddef>
#include <cstdint>

namespace footfall::capture {

// The same function as Crc32(), by the portable table method only.
std::uint32_t Crc32Portable(const std::uint8_t* data, std::size_t len);

}  // namespace footfall::capture
