// Purpose: tests of CrossRadioDedup, the rule that one transmission heard by
// several radios is counted once: a copy is the same pseudonym and 802.11
// sequence number from ANOTHER source within 100 ms (either side); the same
// source repeating itself, another number or another device, or a gap longer
// than the window, is a new frame; memory stays bounded.
#include "daemon/cross_radio_dedup.h"

#include <gtest/gtest.h>

#include <chrono>

namespace footfall::daemon {
namespace {

using std::chrono::milliseconds;
using TimePoint = CrossRadioDedup::TimePoint;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1700000000));

TEST(CrossRadioDedupTest, CopyFromAnotherRadioWithinTheWindow) {
  CrossRadioDedup d;
  EXPECT_FALSE(d.IsCopy(kT0, 42, 100, 0));
  EXPECT_TRUE(d.IsCopy(kT0 + milliseconds(3), 42, 100, 1));
  EXPECT_TRUE(d.IsCopy(kT0 + milliseconds(100), 42, 100, 2)) << "a third radio too";
  // Timestamps of different radios may arrive out of order.
  EXPECT_FALSE(d.IsCopy(kT0 + milliseconds(500), 7, 9, 1));
  EXPECT_TRUE(d.IsCopy(kT0 + milliseconds(450), 7, 9, 0));
}

TEST(CrossRadioDedupTest, NotACopy) {
  CrossRadioDedup d;
  EXPECT_FALSE(d.IsCopy(kT0, 42, 100, 0));
  EXPECT_FALSE(d.IsCopy(kT0 + milliseconds(1), 42, 100, 0)) << "same radio: a new frame";
  EXPECT_FALSE(d.IsCopy(kT0 + milliseconds(2), 42, 101, 1)) << "another sequence number";
  EXPECT_FALSE(d.IsCopy(kT0 + milliseconds(2), 43, 100, 1)) << "another device";
  EXPECT_FALSE(d.IsCopy(kT0 + milliseconds(102), 42, 100, 1)) << "101 ms after the last one";
}

TEST(CrossRadioDedupTest, WindowIsConfigurable) {
  CrossRadioDedup d(milliseconds(10));
  EXPECT_FALSE(d.IsCopy(kT0, 1, 1, 0));
  EXPECT_FALSE(d.IsCopy(kT0 + milliseconds(11), 1, 1, 1));
  EXPECT_TRUE(d.IsCopy(kT0 + milliseconds(20), 1, 1, 0));
}

TEST(CrossRadioDedupTest, MemoryIsBoundedByTheWindow) {
  CrossRadioDedup d;
  // 100 frames a millisecond for 10 s: only the last ~200 ms are remembered.
  for (int ms = 0; ms < 10000; ++ms) {
    for (int i = 0; i < 100; ++i) {
      ASSERT_FALSE(d.IsCopy(kT0 + milliseconds(ms), static_cast<std::uint64_t>(ms * 100 + i),
                            static_cast<std::uint16_t>(i), 0));
    }
  }
  EXPECT_LE(d.remembered(), 201u * 100u);
  EXPECT_GE(d.remembered(), 100u * 100u);
}

}  // namespace
}  // namespace footfall::daemon
