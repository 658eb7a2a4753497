// Purpose: tests of the pseudonymizer: stable pseudonyms within an epoch and
// different ones across epochs (SipHash-2-4 and keyed BLAKE2b), known answers
// against libsodium called directly with a fixed test key source, the
// randomized flag, wiping of the MAC and of the retired key, read-only key
// memory, rotation timing with an injected clock, and no allocation on the
// hot path. No MAC is ever printed (MacAddress has no printer; only
// pseudonyms and flags are compared).
#include "hashing/pseudonymizer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <time.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/key_sources.h"
#include "support/test_support.h"

// Counts heap allocations made while counting is switched on (hot-path test).
namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_count_allocations.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (size == 0) size = 1;
  if (void* p = std::malloc(size)) return p;
  throw std::bad_alloc();
}
// GCC 12 flags free() in a replaced operator delete once it inlines it into
// callers of new (a known false positive): the pair here is malloc/free.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace footfall::hashing {
namespace {

using capture::MacAddress;
using footfall::testing::ExpectedSipHash;
using footfall::testing::Hash;
using footfall::testing::SlotHoldsTestKey;
using footfall::testing::SlotIsZero;
using footfall::testing::TestKey;
using footfall::testing::TestKeySource;
using footfall::testing::WriteWithoutCore;
using std::chrono::hours;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr std::uint8_t kGlobalMac[6] = {0x00, 0x1b, 0x63, 0x12, 0x34, 0x56};
constexpr std::uint8_t kOtherGlobalMac[6] = {0x00, 0x1b, 0x63, 0x12, 0x34, 0x57};
constexpr std::uint8_t kRandomizedMac[6] = {0xda, 0xa1, 0x19, 0x0a, 0x0b, 0x0c};

using footfall::testing::Utc;

const TimePoint kStart = Utc(2026, 5, 4, 10, 20);  // hourly rotation at 11:00Z

std::unique_ptr<Pseudonymizer> MakeFixed(Algorithm algorithm, TimePoint now = kStart) {
  return std::make_unique<Pseudonymizer>(algorithm, MakePeriodicSchedule(hours(1)),
                                         std::make_unique<TestKeySource>(), now);
}

std::uint64_t LittleEndian64(const unsigned char* b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

// What the pseudonym must be, computed with libsodium directly (SipHash:
// support/key_sources.h).
std::uint64_t ExpectedBlake2b(std::uint64_t epoch, const std::uint8_t* mac) {
  std::uint8_t key[kKeyBytes];
  TestKey(epoch, key);
  unsigned char out[crypto_generichash_BYTES_MIN];
  EXPECT_EQ(crypto_generichash(out, sizeof out, mac, 6, key, sizeof key), 0);
  return LittleEndian64(out);
}

std::string AlgorithmName(const ::testing::TestParamInfo<Algorithm>& param_info) {
  return param_info.param == Algorithm::kSipHash24 ? "SipHash24" : "Blake2b";
}

class PseudonymizerTest : public ::testing::TestWithParam<Algorithm> {};

INSTANTIATE_TEST_SUITE_P(Algorithms, PseudonymizerTest,
                         ::testing::Values(Algorithm::kSipHash24, Algorithm::kBlake2b),
                         AlgorithmName);

TEST_P(PseudonymizerTest, SameMacSamePseudonymWithinEpoch) {
  auto p = MakeFixed(GetParam());
  const Pseudonym a = Hash(*p, kGlobalMac);
  const Pseudonym b = Hash(*p, kGlobalMac);
  EXPECT_EQ(a, b);
  EXPECT_FALSE(p->AdvanceTo(kStart + std::chrono::minutes(30)));
  EXPECT_EQ(Hash(*p, kGlobalMac), a);
}

TEST_P(PseudonymizerTest, DifferentMacsDifferentPseudonyms) {
  auto p = MakeFixed(GetParam());
  EXPECT_NE(Hash(*p, kGlobalMac).value, Hash(*p, kOtherGlobalMac).value);
}

TEST_P(PseudonymizerTest, DifferentPseudonymsAcrossEpochs) {
  auto p = MakeFixed(GetParam());
  const Pseudonym before = Hash(*p, kGlobalMac);
  ASSERT_TRUE(p->AdvanceTo(Utc(2026, 5, 4, 11, 0, 1)));
  EXPECT_EQ(p->epoch(), 1u);
  const Pseudonym after = Hash(*p, kGlobalMac);
  EXPECT_NE(before.value, after.value);
  EXPECT_EQ(before.randomized, after.randomized);
  EXPECT_EQ(Hash(*p, kGlobalMac), after);  // stable again within epoch 1
}

TEST_P(PseudonymizerTest, KnownAnswerAgainstLibsodium) {
  auto p = MakeFixed(GetParam());
  auto expected = [](std::uint64_t epoch, const std::uint8_t* mac) {
    return GetParam() == Algorithm::kSipHash24 ? ExpectedSipHash(epoch, mac)
                                               : ExpectedBlake2b(epoch, mac);
  };
  EXPECT_EQ(Hash(*p, kGlobalMac).value, expected(0, kGlobalMac));
  EXPECT_EQ(Hash(*p, kRandomizedMac).value, expected(0, kRandomizedMac));
  ASSERT_TRUE(p->AdvanceTo(Utc(2026, 5, 4, 11, 0)));
  EXPECT_EQ(Hash(*p, kGlobalMac).value, expected(1, kGlobalMac));
  ASSERT_TRUE(p->AdvanceTo(Utc(2026, 5, 4, 12, 0)));
  EXPECT_EQ(Hash(*p, kGlobalMac).value, expected(2, kGlobalMac));
}

TEST_P(PseudonymizerTest, RandomizedFlagFromLocallyAdministeredBit) {
  auto p = MakeFixed(GetParam());
  EXPECT_FALSE(Hash(*p, kGlobalMac).randomized);
  EXPECT_TRUE(Hash(*p, kRandomizedMac).randomized);
  const std::uint8_t only_la_bit[6] = {0x02, 0, 0, 0, 0, 1};
  EXPECT_TRUE(Hash(*p, only_la_bit).randomized);
  const std::uint8_t all_but_la_bit[6] = {0xfd, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(Hash(*p, all_but_la_bit).randomized);
}

TEST_P(PseudonymizerTest, WipesTheMacItIsGiven) {
  auto p = MakeFixed(GetParam());
  MacAddress global(kGlobalMac);
  ASSERT_FALSE(global.empty());
  p->Pseudonymize(global);
  EXPECT_TRUE(global.empty());
  MacAddress randomized(kRandomizedMac);
  EXPECT_TRUE(p->Pseudonymize(randomized).randomized);  // flag read before the wipe
  EXPECT_TRUE(randomized.empty());
}

TEST_P(PseudonymizerTest, RetiredKeySlotIsZeroAfterRotation) {
  auto p = MakeFixed(GetParam());
  ASSERT_EQ(p->key_area_size_for_test(), 2 * kKeyBytes);
  EXPECT_EQ(p->current_slot_for_test(), 0u);
  EXPECT_TRUE(SlotHoldsTestKey(*p, 0, 0));
  EXPECT_TRUE(SlotIsZero(*p, 1));
  TimePoint now = kStart;
  for (std::uint64_t epoch = 1; epoch <= 4; ++epoch) {
    now = p->next_rotation();
    ASSERT_TRUE(p->AdvanceTo(now));
    EXPECT_EQ(p->epoch(), epoch);
    const std::size_t current = epoch % 2;
    EXPECT_EQ(p->current_slot_for_test(), current);
    EXPECT_TRUE(SlotHoldsTestKey(*p, current, epoch));
    EXPECT_FALSE(SlotIsZero(*p, current));
    EXPECT_TRUE(SlotIsZero(*p, 1 - current)) << "retired key of epoch " << epoch - 1;
  }
}

TEST_P(PseudonymizerTest, AdvanceToBeforeRotationDoesNothing) {
  std::vector<std::uint64_t> filled;
  Pseudonymizer p(GetParam(), MakePeriodicSchedule(hours(1)),
                  std::make_unique<TestKeySource>(&filled), kStart);
  EXPECT_EQ(filled, std::vector<std::uint64_t>{0});
  EXPECT_EQ(p.epoch(), 0u);
  EXPECT_EQ(p.epoch_start(), kStart);
  EXPECT_EQ(p.next_rotation(), Utc(2026, 5, 4, 11, 0));
  const Pseudonym before = Hash(p, kGlobalMac);

  EXPECT_FALSE(p.AdvanceTo(kStart));
  EXPECT_FALSE(p.AdvanceTo(Utc(2026, 5, 4, 11, 0) - nanoseconds(1)));
  EXPECT_FALSE(p.AdvanceTo(kStart - hours(5)));  // a clock going back changes nothing
  EXPECT_EQ(p.epoch(), 0u);
  EXPECT_EQ(filled.size(), 1u);
  EXPECT_EQ(Hash(p, kGlobalMac), before);

  // Exactly at the rotation time it rotates.
  EXPECT_TRUE(p.AdvanceTo(Utc(2026, 5, 4, 11, 0)));
  EXPECT_EQ(p.epoch(), 1u);
  EXPECT_EQ(p.epoch_start(), Utc(2026, 5, 4, 11, 0));
  EXPECT_EQ(p.next_rotation(), Utc(2026, 5, 4, 12, 0));
  EXPECT_EQ(filled, (std::vector<std::uint64_t>{0, 1}));
}

TEST_P(PseudonymizerTest, SkippedPeriodsRotateOnce) {
  std::vector<std::uint64_t> filled;
  Pseudonymizer p(GetParam(), MakePeriodicSchedule(hours(1)),
                  std::make_unique<TestKeySource>(&filled), kStart);
  const TimePoint later = Utc(2026, 5, 4, 15, 42);  // five rotation times passed
  EXPECT_TRUE(p.AdvanceTo(later));
  EXPECT_EQ(p.epoch(), 1u);
  EXPECT_EQ(p.epoch_start(), later);
  EXPECT_EQ(p.next_rotation(), Utc(2026, 5, 4, 16, 0));
  EXPECT_FALSE(p.AdvanceTo(later));
  EXPECT_EQ(filled, (std::vector<std::uint64_t>{0, 1}));
}

TEST_P(PseudonymizerTest, DailyScheduleFromConstructionTime) {
  const char* old_tz = std::getenv("TZ");
  const std::string saved_tz = old_tz != nullptr ? old_tz : "";
  setenv("TZ", "UTC", 1);
  tzset();
  Pseudonymizer p(GetParam(), MakeDailySchedule(4, 0), std::make_unique<TestKeySource>(),
                  Utc(2026, 5, 4, 10, 20));
  EXPECT_EQ(p.next_rotation(), Utc(2026, 5, 5, 4, 0));
  EXPECT_FALSE(p.AdvanceTo(Utc(2026, 5, 5, 3, 59, 59)));
  EXPECT_TRUE(p.AdvanceTo(Utc(2026, 5, 5, 4, 0)));
  EXPECT_EQ(p.next_rotation(), Utc(2026, 5, 6, 4, 0));
  if (old_tz != nullptr) {
    setenv("TZ", saved_tz.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST_P(PseudonymizerTest, FailedKeySourceKeepsTheOldKey) {
  Pseudonymizer p(GetParam(), MakePeriodicSchedule(hours(1)),
                  std::make_unique<TestKeySource>(nullptr, 1), kStart);
  const Pseudonym before = Hash(p, kGlobalMac);
  EXPECT_THROW(p.AdvanceTo(Utc(2026, 5, 4, 11, 0)), std::runtime_error);
  EXPECT_EQ(p.epoch(), 0u);
  EXPECT_EQ(p.current_slot_for_test(), 0u);
  EXPECT_TRUE(SlotHoldsTestKey(p, 0, 0));
  EXPECT_TRUE(SlotIsZero(p, 1));  // the half-written key was wiped
  EXPECT_EQ(Hash(p, kGlobalMac), before);
}

TEST_P(PseudonymizerTest, RandomKeysDifferBetweenInstances) {
  Pseudonymizer a(GetParam(), MakePeriodicSchedule(hours(1)), MakeRandomKeySource(), kStart);
  Pseudonymizer b(GetParam(), MakePeriodicSchedule(hours(1)), MakeRandomKeySource(), kStart);
  EXPECT_FALSE(SlotIsZero(a, 0));
  EXPECT_TRUE(SlotIsZero(a, 1));
  EXPECT_NE(Hash(a, kGlobalMac).value, Hash(b, kGlobalMac).value);
  const Pseudonym before = Hash(a, kGlobalMac);
  ASSERT_TRUE(a.AdvanceTo(a.next_rotation()));
  EXPECT_NE(Hash(a, kGlobalMac).value, before.value);
  EXPECT_TRUE(SlotIsZero(a, 0));
}

TEST_P(PseudonymizerTest, PseudonymizeDoesNotAllocate) {
  auto p = MakeFixed(GetParam());
  MacAddress warm(kGlobalMac);
  p->Pseudonymize(warm);
  // The counter sees allocations (a direct call cannot be elided).
  g_allocations = 0;
  g_count_allocations = true;
  ::operator delete(::operator new(16));
  g_count_allocations = false;
  ASSERT_EQ(g_allocations.load(), 1);

  g_allocations = 0;
  g_count_allocations = true;
  std::uint64_t sink = 0;
  for (int i = 0; i < 1000; ++i) {
    MacAddress mac(i % 2 == 0 ? kGlobalMac : kRandomizedMac);
    sink ^= p->Pseudonymize(mac).value;
  }
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_NE(sink, 1u);  // keep the loop
}

TEST(PseudonymizerDeathTest, KeyMemoryIsReadOnly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto p = MakeFixed(Algorithm::kSipHash24);
  auto* area = const_cast<std::uint8_t*>(p->key_area_for_test());
  EXPECT_EXIT(WriteWithoutCore(area), ::testing::KilledBySignal(SIGSEGV), "");
  // The same holds after a rotation, for both slots.
  ASSERT_TRUE(p->AdvanceTo(p->next_rotation()));
  EXPECT_EXIT(WriteWithoutCore(area + kKeyBytes), ::testing::KilledBySignal(SIGSEGV), "");
  EXPECT_EXIT(WriteWithoutCore(area), ::testing::KilledBySignal(SIGSEGV), "");
}

TEST(PseudonymizerArgsTest, RejectsMissingParts) {
  EXPECT_THROW(
      Pseudonymizer(Algorithm::kSipHash24, nullptr, std::make_unique<TestKeySource>(), kStart),
      std::invalid_argument);
  EXPECT_THROW(
      Pseudonymizer(Algorithm::kSipHash24, MakePeriodicSchedule(hours(1)), nullptr, kStart),
      std::invalid_argument);
}

// The model fingerprint: keyed like the pseudonyms, domain-separated from them
// (a tag byte and the length precede the signature), and different in every
// epoch, so grouping state means nothing once the key is gone.
TEST_P(PseudonymizerTest, FingerprintIsKeyedSeparatedAndRotates) {
  auto p = MakeFixed(GetParam());
  const std::uint8_t sig[] = {0, 0, 1, 4, 2, 4, 11, 22};
  std::uint8_t input[2 + sizeof sig] = {0xF1, sizeof sig};
  std::memcpy(input + 2, sig, sizeof sig);
  std::uint8_t key[kKeyBytes];
  TestKey(0, key);
  unsigned char out[crypto_generichash_BYTES_MIN];
  if (GetParam() == Algorithm::kSipHash24) {
    crypto_shorthash(out, input, sizeof input, key);
  } else {
    ASSERT_EQ(crypto_generichash(out, sizeof out, input, sizeof input, key, sizeof key), 0);
  }
  const std::uint64_t fp = p->Fingerprint(sig, sizeof sig);
  EXPECT_EQ(fp, LittleEndian64(out));
  EXPECT_EQ(p->Fingerprint(sig, sizeof sig), fp);
  EXPECT_NE(p->Fingerprint(sig, sizeof sig - 1), fp);
  // A 6-byte signature equal to a MAC does not give that MAC's pseudonym.
  EXPECT_NE(p->Fingerprint(kGlobalMac, 6), Hash(*p, kGlobalMac).value);
  const std::uint64_t prf_before = p->prf_evaluations();
  p->Fingerprint(sig, sizeof sig);
  EXPECT_EQ(p->prf_evaluations(), prf_before);  // counts hashed addresses only
  ASSERT_TRUE(p->AdvanceTo(Utc(2026, 5, 4, 11, 0)));
  EXPECT_NE(p->Fingerprint(sig, sizeof sig), fp);
}

TEST(AlgorithmTest, NamesRoundTripAndAnUnknownNameIsAnError) {
  for (Algorithm a : {Algorithm::kSipHash24, Algorithm::kBlake2b}) {
    const Result<Algorithm> parsed = ParseAlgorithm(AlgorithmName(a));
    ASSERT_TRUE(parsed) << AlgorithmName(a);
    EXPECT_EQ(*parsed, a);
  }
  EXPECT_STREQ(AlgorithmName(Algorithm::kSipHash24), "siphash24");
  EXPECT_STREQ(AlgorithmName(Algorithm::kBlake2b), "blake2b");
  // No silent fallback to SipHash.
  EXPECT_EQ(ParseAlgorithm("md5").error(), "must be \"siphash24\" or \"blake2b\" (got \"md5\")");
  EXPECT_FALSE(ParseAlgorithm("SipHash24"));
  EXPECT_FALSE(ParseAlgorithm(""));
}

}  // namespace
}  // namespace footfall::hashing
