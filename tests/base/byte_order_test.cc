// Purpose: tests of the byte-order loads and stores (base/byte_order.h):
// every load against a known byte pattern, at an unaligned address, in both
// byte orders, and the stores read back by the loads.
#include "base/byte_order.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace footfall {
namespace {

// One byte of padding first: every load below is unaligned.
constexpr std::uint8_t kBytes[] = {0xEE, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
const std::uint8_t* const kP = kBytes + 1;

TEST(ByteOrderTest, LittleEndianLoads) {
  EXPECT_EQ(LoadLe16(kP), 0x0201u);
  EXPECT_EQ(LoadLe32(kP), 0x04030201u);
  EXPECT_EQ(LoadLe64(kP), 0x0807060504030201u);
}

TEST(ByteOrderTest, BigEndianLoads) {
  EXPECT_EQ(LoadBe16(kP), 0x0102u);
  EXPECT_EQ(LoadBe32(kP), 0x01020304u);
}

TEST(ByteOrderTest, ByteOrderChosenAtRunTime) {
  EXPECT_EQ(Load16(kP, false), 0x0201u);
  EXPECT_EQ(Load16(kP, true), 0x0102u);
  EXPECT_EQ(Load32(kP, false), 0x04030201u);
  EXPECT_EQ(Load32(kP, true), 0x01020304u);
}

TEST(ByteOrderTest, StoresAreReadBackByTheLoads) {
  std::uint8_t w[9] = {};
  StoreLe16(w + 1, 0xA1B2u);
  EXPECT_EQ(w[1], 0xB2);
  EXPECT_EQ(LoadLe16(w + 1), 0xA1B2u);
  StoreLe64(w + 1, 0x0102030405060708u);
  EXPECT_EQ(w[1], 0x08);
  EXPECT_EQ(LoadLe64(w + 1), 0x0102030405060708u);
  EXPECT_EQ(w[0], 0);

  std::uint8_t b[5] = {};
  StoreLe32(b + 1, 0xA1B2C3D4u);
  EXPECT_EQ(b[1], 0xD4);
  EXPECT_EQ(LoadLe32(b + 1), 0xA1B2C3D4u);
  Store32(b + 1, 0xA1B2C3D4u, true);
  EXPECT_EQ(b[1], 0xA1);
  EXPECT_EQ(LoadBe32(b + 1), 0xA1B2C3D4u);
  Store32(b + 1, 0x01020304u, false);
  EXPECT_EQ(Load32(b + 1, false), 0x01020304u);
  EXPECT_EQ(b[0], 0);  // nothing written outside the four bytes
}

}  // namespace
}  // namespace footfall
