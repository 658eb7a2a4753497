// Purpose: a phone present across a key rotation in the middle of a window:
// counted twice without a carry-over (its pseudonym changes), once with one
// ([hashing] carry_over_max_s), through the real Pseudonymizer and
// WindowCounter with an injected clock. No MAC is printed.
#include <gtest/gtest.h>

#include <vector>

#include "analytics/window_counter.h"
#include "hashing/pseudonymizer.h"
#include "hashing/rotation.h"
#include "support/key_sources.h"
#include "support/test_support.h"

namespace footfall::analytics {
namespace {

using footfall::testing::Hash;
using footfall::testing::Utc;
using hashing::Pseudonymizer;
using hashing::TimePoint;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::uint8_t kMac[6] = {0x00, 0x1b, 0x63, 0x12, 0x34, 0x56};
constexpr std::uint8_t kOtherMac[6] = {0xda, 0xa1, 0x19, 0x0a, 0x0b, 0x0c};

// Runs a device seen before and after a rotation in the middle of a two-hour
// window through the real counter; returns the window's device count.
std::uint64_t DevicesInWindowAcrossRotation(seconds carry, minutes seen_again_after) {
  const TimePoint window_start = Utc(2026, 5, 4, 10, 0);
  const TimePoint boundary = Utc(2026, 5, 4, 11, 0);
  Pseudonymizer p(hashing::Algorithm::kSipHash24, hashing::MakePeriodicSchedule(hours(1)),
                  std::make_unique<footfall::testing::TestKeySource>(), window_start, carry);
  std::vector<WindowReport> reports;
  WindowCounter counter(seconds(7200), [&](const WindowReport& r) { reports.push_back(r); });
  const auto probe = [&](TimePoint t, const std::uint8_t* mac) {
    p.AdvanceTo(t);
    counter.OnProbe(t, Hash(p, mac), -60);
  };
  probe(boundary - minutes(10), kMac);
  probe(boundary - minutes(9), kOtherMac);
  probe(boundary + minutes(1), kMac);  // the same phone, still there
  probe(boundary + seen_again_after, kMac);
  counter.Flush(window_start + seconds(7200));
  EXPECT_EQ(reports.size(), 1u);
  return reports.empty() ? 0 : reports.front().devices;
}

TEST(CarryOverWindowTest, ADevicePresentAcrossTheRotationIsCountedOnceWithinTheBound) {
  EXPECT_EQ(DevicesInWindowAcrossRotation(seconds(0), minutes(2)), 3u)
      << "without a carry-over the new key makes the same phone a new device";
  EXPECT_EQ(DevicesInWindowAcrossRotation(minutes(5), minutes(2)), 2u);
  // Seen again after the bound: it was already recognised (and remembered
  // under its new pseudonym) during the carry-over, so it stays one device.
  EXPECT_EQ(DevicesInWindowAcrossRotation(minutes(5), minutes(30)), 2u);
}

}  // namespace
}  // namespace footfall::analytics
