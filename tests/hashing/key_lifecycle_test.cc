// Purpose: tests of the key lifecycle promised in docs/privacy.md: the key
// memory is locked and excluded from core dumps (its mapping's VmFlags in
// /proc/self/smaps), the retired key survives a rotation only during the
// configured carry-over and is zero afterwards (read from the key memory, with
// an injected clock), and the schedule's absolute epoch index
// (shared-key mode) changes exactly at the rotation instants. No MAC is
// printed.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashing/pseudonymizer.h"
#include "hashing/rotation.h"
#include "support/key_sources.h"
#include "support/test_support.h"

namespace footfall::hashing {
namespace {

using capture::MacAddress;
using footfall::testing::ExpectedSipHash;
using footfall::testing::Hash;
using footfall::testing::SlotHoldsTestKey;
using footfall::testing::SlotIsZero;
using footfall::testing::TestKeySource;
using footfall::testing::Utc;
using footfall::testing::VmFlagsOf;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr std::uint8_t kMac[6] = {0x00, 0x1b, 0x63, 0x12, 0x34, 0x56};
constexpr std::uint8_t kOtherMac[6] = {0xda, 0xa1, 0x19, 0x0a, 0x0b, 0x0c};

TEST(KeyMemoryTest, LockedAndExcludedFromCoreDumps) {
  Pseudonymizer p(Algorithm::kSipHash24, MakePeriodicSchedule(hours(1)),
                  std::make_unique<TestKeySource>(), Utc(2026, 5, 4, 10, 20));
  for (const std::uint8_t* at :
       {p.key_area_for_test(), p.key_area_for_test() + p.key_area_size_for_test() - 1}) {
    const std::string flags = VmFlagsOf(at);
    ASSERT_FALSE(flags.empty()) << "the key memory is not in /proc/self/smaps";
    EXPECT_NE(flags.find(" dd "), std::string::npos) << "not MADV_DONTDUMP:" << flags;
    EXPECT_NE(flags.find(" lo "), std::string::npos) << "not mlocked:" << flags;
  }
  // The control: ordinary heap memory carries neither flag.
  std::vector<std::uint8_t> heap(1 << 20);
  const std::string heap_flags = VmFlagsOf(heap.data() + heap.size() / 2);
  ASSERT_FALSE(heap_flags.empty());
  EXPECT_EQ(heap_flags.find(" dd "), std::string::npos) << heap_flags;
}

class CarryOverTest : public ::testing::Test {
 protected:
  const TimePoint start_ = Utc(2026, 5, 4, 10, 20);
  const TimePoint boundary_ = Utc(2026, 5, 4, 11, 0);  // hourly rotation
  std::unique_ptr<Pseudonymizer> Make(seconds carry) {
    return std::make_unique<Pseudonymizer>(Algorithm::kSipHash24, MakePeriodicSchedule(hours(1)),
                                           std::make_unique<TestKeySource>(), start_, carry);
  }
};

TEST_F(CarryOverTest, DefaultZeroWipesTheOldKeyAtTheRotation) {
  auto p = Make(seconds(0));
  ASSERT_TRUE(p->AdvanceTo(boundary_));
  EXPECT_FALSE(p->carrying_over());
  EXPECT_TRUE(SlotIsZero(*p, 0));
  EXPECT_TRUE(SlotHoldsTestKey(*p, 1, 1));
  const Pseudonym after = Hash(*p, kMac);
  EXPECT_FALSE(after.has_carried);
  EXPECT_EQ(after.value, ExpectedSipHash(1, kMac));
}

TEST_F(CarryOverTest, OldKeyKeptOnlyUntilTheBoundThenZero) {
  auto p = Make(minutes(5));
  EXPECT_FALSE(p->carrying_over());
  EXPECT_TRUE(SlotIsZero(*p, 1));
  const std::uint64_t evaluations_before = p->prf_evaluations();
  const Pseudonym before = Hash(*p, kMac);
  EXPECT_FALSE(before.has_carried);
  EXPECT_EQ(p->prf_evaluations(), evaluations_before + 1);

  ASSERT_TRUE(p->AdvanceTo(boundary_ + seconds(10)));
  EXPECT_TRUE(p->carrying_over());
  EXPECT_EQ(p->carry_over_until(), boundary_ + minutes(5));
  EXPECT_TRUE(SlotHoldsTestKey(*p, 0, 0)) << "the previous key is kept during the carry-over";
  EXPECT_TRUE(SlotHoldsTestKey(*p, 1, 1));
  const Pseudonym during = Hash(*p, kMac);
  EXPECT_EQ(during.value, ExpectedSipHash(1, kMac));
  ASSERT_TRUE(during.has_carried);
  EXPECT_EQ(during.carried, before.value) << "recognisable as the device seen before";
  EXPECT_EQ(p->prf_evaluations(), evaluations_before + 3);  // two PRFs during a carry-over

  EXPECT_FALSE(p->AdvanceTo(boundary_ + minutes(5) - nanoseconds(1)));
  EXPECT_TRUE(p->carrying_over());
  EXPECT_TRUE(SlotHoldsTestKey(*p, 0, 0));

  EXPECT_FALSE(p->AdvanceTo(boundary_ + minutes(5)));  // the bound: wiped, no rotation
  EXPECT_FALSE(p->carrying_over());
  EXPECT_TRUE(SlotIsZero(*p, 0)) << "the old key must be zero once the bound has passed";
  EXPECT_TRUE(SlotHoldsTestKey(*p, 1, 1));
  const Pseudonym later = Hash(*p, kMac);
  EXPECT_FALSE(later.has_carried);
  EXPECT_EQ(later.value, during.value);
}

TEST_F(CarryOverTest, BoundCountsFromTheScheduledRotationNotFromALateCall) {
  auto p = Make(minutes(5));
  // The first call after the boundary comes 6 minutes late: the old key's
  // carry-over ended before it, so it is wiped at once.
  ASSERT_TRUE(p->AdvanceTo(boundary_ + minutes(6)));
  EXPECT_FALSE(p->carrying_over());
  EXPECT_TRUE(SlotIsZero(*p, 0));
  EXPECT_FALSE(Hash(*p, kMac).has_carried);
}

TEST_F(CarryOverTest, TheNextRotationNeverKeepsTwoOldKeys) {
  auto p = Make(minutes(5));
  ASSERT_TRUE(p->AdvanceTo(boundary_));
  ASSERT_TRUE(p->carrying_over());
  // No call during the rest of the hour: the next rotation replaces the
  // carried key (slot 0) with epoch 2's and carries epoch 1's key only.
  ASSERT_TRUE(p->AdvanceTo(boundary_ + hours(1)));
  EXPECT_TRUE(p->carrying_over());
  EXPECT_TRUE(SlotHoldsTestKey(*p, 0, 2));
  EXPECT_TRUE(SlotHoldsTestKey(*p, 1, 1));
  ASSERT_FALSE(p->AdvanceTo(boundary_ + hours(1) + minutes(5)));
  EXPECT_TRUE(SlotIsZero(*p, 1));
  EXPECT_TRUE(SlotHoldsTestKey(*p, 0, 2));
}

TEST(EpochIndexTest, PeriodicChangesExactlyAtEachRotation) {
  auto s = MakePeriodicSchedule(seconds(600));
  const TimePoint t = Utc(2026, 5, 4, 10, 20);
  EXPECT_EQ(s->EpochIndex(t), 1777890000 / 600);  // 2026-05-04T10:20:00Z
  EXPECT_EQ(s->EpochIndex(t - nanoseconds(1)), s->EpochIndex(t) - 1);
  EXPECT_EQ(s->EpochIndex(s->NextAfter(t)), s->EpochIndex(t) + 1);
  EXPECT_EQ(s->EpochIndex(s->NextAfter(t) - nanoseconds(1)), s->EpochIndex(t));
  EXPECT_EQ(MakePeriodicSchedule(seconds(604800))->EpochIndex(t), 1777890000 / 604800);
}

// Sets TZ for the lifetime of the object and restores it.
using footfall::testing::ScopedTz;

TEST(EpochIndexTest, DailyIsTheLocalDateOfTheLastRotationAcrossDst) {
  ScopedTz tz("Europe/Berlin");
  auto s = MakeDailySchedule(4, 0);
  const std::int64_t mar29 = 20541;  // 2026-03-29 (spring forward at 02:00) in days since 1970
  // 04:00 CEST on 2026-03-29 is 02:00Z; the day before it rotated at 03:00Z (CET).
  EXPECT_EQ(s->EpochIndex(Utc(2026, 3, 29, 1, 59, 59)), mar29 - 1);
  EXPECT_EQ(s->EpochIndex(Utc(2026, 3, 29, 2, 0)), mar29);
  EXPECT_EQ(s->EpochIndex(Utc(2026, 3, 30, 1, 59, 59)), mar29);
  EXPECT_EQ(s->EpochIndex(Utc(2026, 3, 30, 2, 0)), mar29 + 1);
  // Every rotation instant NextAfter gives starts the next index.
  TimePoint t = Utc(2026, 3, 27, 12, 0);
  for (int i = 0; i < 5; ++i) {
    const TimePoint next = s->NextAfter(t);
    EXPECT_EQ(s->EpochIndex(next), s->EpochIndex(next - nanoseconds(1)) + 1);
    t = next;
  }
}

}  // namespace
}  // namespace footfall::hashing
