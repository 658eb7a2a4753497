// Purpose: tests of the CRC-32 (base/crc32.h): the standard check value, the
// empty input, and both paths (the accelerated Crc32 and the portable
// Crc32Portable) against a bitwise reference at every length up to 300 bytes
// and every alignment, so the folding path (64 bytes and more) is covered.
#include "base/crc32.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace footfall {
namespace {

// The definition, one bit at a time: independent of both table methods.
std::uint32_t BitwiseCrc32(const std::uint8_t* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
  }
  return ~c;
}

TEST(Crc32Test, StandardCheckValue) {
  const char* check = "123456789";
  EXPECT_EQ(Crc32(reinterpret_cast<const std::uint8_t*>(check), 9), 0xCBF43926u);
  EXPECT_EQ(Crc32Portable(reinterpret_cast<const std::uint8_t*>(check), 9), 0xCBF43926u);
  EXPECT_EQ(Crc32(std::string("123456789")), 0xCBF43926u);
  EXPECT_EQ(Crc32(nullptr, 0), 0u);
  EXPECT_EQ(Crc32Portable(nullptr, 0), 0u);
  EXPECT_EQ(Crc32(std::string()), 0u);
  const std::uint8_t zero = 0;
  EXPECT_EQ(Crc32(&zero, 0), 0u);
}

TEST(Crc32Test, BothPathsMatchBitwiseAtEveryLengthAndOffset) {
  std::mt19937 rng(42);
  std::vector<std::uint8_t> data(300);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  for (std::size_t start = 0; start < 8; ++start) {
    for (std::size_t len = 0; start + len <= data.size(); ++len) {
      const std::uint32_t want = BitwiseCrc32(data.data() + start, len);
      ASSERT_EQ(Crc32(data.data() + start, len), want) << "start " << start << " len " << len;
      ASSERT_EQ(Crc32Portable(data.data() + start, len), want)
          << "start " << start << " len " << len;
    }
  }
}

TEST(Crc32Test, StringViewOverloadIsTheSameFunction) {
  const std::string bytes("journal record \0 with a NUL", 27);
  EXPECT_EQ(Crc32(bytes),
            BitwiseCrc32(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace
}  // namespace footfall
