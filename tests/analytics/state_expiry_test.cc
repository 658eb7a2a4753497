// Purpose: tests that the people analytics keep pseudonym state no longer
// than docs/privacy.md says (issue 15, point 7): one visit gap after the last
// frame, at the next window's end, the pseudonym table, the devices and the
// linking indexes are empty in a quiet shop (not only once 4,096 entries
// pile up); freed device slots hold nothing of the device; and the memory the
// tables give back is zero (hashing::WipingAllocator, FlatMap). Time is
// passed in (an injected clock); nothing sleeps.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "analytics/fixed_devices.h"
#include "analytics/flat_map.h"
#include "analytics/people_estimator.h"
#include "analytics/window_counter.h"
#include "hashing/wiping_allocator.h"
#include "support/test_support.h"

namespace footfall::analytics {
namespace {

using hashing::Pseudonym;
using std::chrono::seconds;

TimePoint At(int hour, int minute, int second = 0) {
  return footfall::testing::Utc(2026, 5, 4, hour, minute, second);
}

// A quiet shop: a few phones, some changing their randomized MAC, one with a
// global MAC, all gone by 10:20.
void QuietMorning(PeopleEstimator& e) {
  std::uint16_t seq = 100;
  for (int m = 0; m < 20; ++m) {
    for (int s = 0; s < 60; s += 20) {
      e.OnProbe(At(10, m, s), Pseudonym{0x1000 + static_cast<std::uint64_t>(m / 4), true},
                ProbeTraits{true, 0xAB, seq}, -55);
      seq = static_cast<std::uint16_t>((seq + 3) & 0xFFF);
      e.OnProbe(At(10, m, s + 1), Pseudonym{0x2000 + static_cast<std::uint64_t>(m), true},
                ProbeTraits{true, 0xCD, static_cast<std::uint16_t>(m * 7)}, -68);
    }
    if (m < 12) e.OnProbe(At(10, m, 30), Pseudonym{0x77, false}, {}, -60);
  }
}

TEST(StateExpiryTest, TablesAreEmptyOneVisitGapAfterTheLastFrame) {
  PeopleOptions o;
  o.visit_gap = seconds(300);
  PeopleEstimator e(o);
  QuietMorning(e);  // last frame at 10:19:41
  PeopleReport r;
  e.CloseWindow(At(10, 20), r);
  ASSERT_GT(e.tracked_pseudonyms(), 0u);
  ASSERT_GT(e.tracked_devices(), 0u);
  // The global MAC was last seen at 10:11:30: its pseudonym is gone one visit
  // gap later although other devices are still present.
  for (int m = 21; m <= 24; ++m) e.CloseWindow(At(10, m), r);
  EXPECT_FALSE(e.DeviceOf(0x77).has_value());
  EXPECT_FALSE(e.DeviceOf(0x1000).has_value());  // the first randomized MAC, replaced at 10:04
  // One visit gap after the last frame (10:19:41 + 300 s), at the next
  // window's end: nothing is left.
  e.CloseWindow(At(10, 25), r);
  e.CloseWindow(At(10, 26), r);
  EXPECT_EQ(e.tracked_pseudonyms(), 0u);
  EXPECT_EQ(e.tracked_devices(), 0u);
  EXPECT_EQ(e.tracked_index_entries(), 0u);
  EXPECT_TRUE(e.FreedSlotsAreWipedForTest());
}

TEST(StateExpiryTest, TheWindowCounterForgetsToo) {
  WindowCounter w(seconds(60), [](const WindowReport&) {});
  for (int m = 0; m < 5; ++m) {
    w.OnProbe(At(9, m, 5), Pseudonym{0x99 + static_cast<std::uint64_t>(m), true}, -50,
              ProbeTraits{true, 0x11, static_cast<std::uint16_t>(m)});
  }
  w.AdvanceTo(At(9, 4, 59));
  EXPECT_GT(w.people().tracked_pseudonyms(), 0u);
  // Last frame 09:04:05; visit gap 300 s; windows close every minute.
  w.AdvanceTo(At(9, 10, 1));
  EXPECT_EQ(w.people().tracked_pseudonyms(), 0u);
  EXPECT_EQ(w.people().tracked_devices(), 0u);
}

TEST(StateExpiryTest, FreedDeviceSlotsAreWipedWhenTheirVisitCloses) {
  PeopleEstimator e;
  for (int m = 0; m < 8; ++m) {
    e.OnProbe(At(11, m), Pseudonym{0x500 + static_cast<std::uint64_t>(m % 3), false}, {}, -40);
  }
  PeopleReport r;
  e.CloseWindow(At(11, 8), r);
  EXPECT_TRUE(e.FreedSlotsAreWipedForTest());  // nothing freed yet: trivially
  e.CloseWindow(At(11, 20), r);
  EXPECT_EQ(e.tracked_devices(), 0u);
  EXPECT_TRUE(e.FreedSlotsAreWipedForTest());
  // A slot is reused for a new device and works as a fresh one.
  e.OnProbe(At(11, 21), Pseudonym{0x600, false}, {}, -45);
  e.CloseWindow(At(11, 22), r);
  EXPECT_EQ(r.estimated_devices, 1u);
  EXPECT_EQ(r.arrivals, 1u);
}

TEST(StateExpiryTest, FixedDeviceCandidatesAreForgottenAtTheirHorizonNotAtCompaction) {
  FixedDevices f;  // candidates unheard for 30 min are forgotten
  const std::int64_t t0 = 1'000'000'000'000;
  for (std::uint64_t id = 1; id <= 5; ++id)
    f.OnProbe(id * 7919, t0 + static_cast<std::int64_t>(id));
  f.Expire(t0 + 60'000'000);
  EXPECT_EQ(f.tracked(), 5u);
  f.Expire(t0 + 1801'000'000);
  EXPECT_EQ(f.tracked(), 0u) << "a few candidates were kept until 1,024 piled up";
}

// A stateless allocator that records, at each deallocation, whether the
// bytes it gets back are all zero.
struct Record {
  static inline std::size_t freed = 0;
  static inline std::size_t freed_dirty = 0;
};
template <typename T>
struct CheckingAllocator {
  using value_type = T;
  CheckingAllocator() = default;
  template <typename U>
  CheckingAllocator(const CheckingAllocator<U>&) {}  // NOLINT
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) {
    const auto* b = reinterpret_cast<const unsigned char*>(p);
    bool dirty = false;
    for (std::size_t i = 0; i < n * sizeof(T); ++i) dirty |= b[i] != 0;
    ++Record::freed;
    if (dirty) ++Record::freed_dirty;
    std::allocator<T>().deallocate(p, n);
  }
  friend bool operator==(const CheckingAllocator&, const CheckingAllocator&) { return true; }
  friend bool operator!=(const CheckingAllocator&, const CheckingAllocator&) { return false; }
};

TEST(WipingAllocatorTest, WhatAContainerFreesIsZeroBeforeTheHeapGetsIt) {
  Record::freed = Record::freed_dirty = 0;
  {
    std::vector<std::uint64_t,
                hashing::WipingAllocator<std::uint64_t, CheckingAllocator<std::uint64_t>>>
        v;
    for (std::uint64_t i = 1; i <= 1000; ++i) v.push_back(0xDEADBEEF00000000ULL + i);  // grows
  }
  EXPECT_GT(Record::freed, 5u);
  EXPECT_EQ(Record::freed_dirty, 0u);
  // The check itself sees dirty memory: without the wipe it would fail.
  Record::freed = Record::freed_dirty = 0;
  {
    std::vector<std::uint64_t, CheckingAllocator<std::uint64_t>> v;
    for (std::uint64_t i = 1; i <= 1000; ++i) v.push_back(i);
  }
  EXPECT_GT(Record::freed_dirty, 0u);
}

}  // namespace
}  // namespace footfall::analytics
