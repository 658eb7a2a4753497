// Purpose: noise mode ([privacy] noise = "laplace", off by default): every
// count of a published window gets two-sided geometric ("discrete Laplace")
// noise, so that the published stream is epsilon-differentially private per
// window for each person (docs/privacy.md states the guarantee per window
// and per day). The noise is drawn exactly on the integers from uniform
// integers (Canonne, Kamath and Steinke 2020, "The discrete Gaussian for
// differential privacy", algorithms 1 and 2): no floating-point Laplace,
// whose rounding leaks (Mironov 2012). The randomness is libsodium's
// (randombytes_uniform: the system CSPRNG, never seeded, never reused); a
// test may inject its own source.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "analytics/window_counter.h"

namespace footfall::transport {

// Uniform integers in [0, upper), upper >= 1.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual std::uint32_t Uniform(std::uint32_t upper) = 0;
};

// libsodium's randombytes_uniform.
std::unique_ptr<RandomSource> MakeSodiumRandom();

// Samples Z with P(Z = z) proportional to exp(-|z| * s / t), i.e. the
// discrete Laplace of scale t / s (s, t >= 1).
class DiscreteLaplace final {
 public:
  DiscreteLaplace(RandomSource& random, std::uint32_t s, std::uint32_t t);
  std::int64_t Sample();
  // exp(-s/t): the ratio of the probabilities of neighbouring values.
  double alpha() const;

 private:
  bool BernoulliExp(std::uint32_t num, std::uint32_t den);  // P = exp(-num/den)
  bool BernoulliExpAtMostOne(std::uint32_t num, std::uint32_t den);
  RandomSource& random_;
  std::uint32_t s_, t_;
};

// How many counts one person can change by one in a window: the address
// count of their kind (per address), the estimated devices, the occupancy,
// visitors or stationary, arrivals, one closed visit (a passer-by, an
// engagement bucket or a stationary departure), and the epoch's two totals. Every noised count
// gets the scale kNoiseSensitivity / epsilon, so the window's vector is
// epsilon-DP. A new published count must be noised in WindowNoise::Apply,
// and this raised if one person can change it too.
inline constexpr std::uint32_t kNoiseSensitivity = 8;

// The noise of the published windows. epsilon is used to a thousandth
// (0.001 .. 100). Derived figures are computed from the noisy ones
// (post-processing costs no privacy): devices.unique = global + randomized,
// departures = passers-by + buckets + stationary departures, the capture
// rate; the signal and the dwell percentiles (no count, no sensitivity
// bound) are not published. The epoch totals are running sums of the noisy
// count of newcomers of each window (a person is a newcomer once per epoch).
class WindowNoise final {
 public:
  WindowNoise(double epsilon, std::unique_ptr<RandomSource> random);
  // The report to publish instead of `report`.
  analytics::WindowReport Apply(const analytics::WindowReport& report);

 private:
  std::int64_t Noisy(std::int64_t v);
  std::unique_ptr<RandomSource> random_;
  DiscreteLaplace laplace_;
  bool started_ = false;
  std::chrono::system_clock::time_point epoch_{};
  std::uint64_t true_devices_ = 0, true_visitors_ = 0;  // the epoch totals at the last window
  std::int64_t noisy_devices_ = 0, noisy_visitors_ = 0;
};

}  // namespace footfall::transport
