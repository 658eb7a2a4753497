// Purpose: exact discrete Laplace sampling from uniform integers, and the
// noise of noise mode applied to a window's counts (see noise.h).
#include "transport/noise.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace footfall::transport {
namespace {

class SodiumRandom final : public RandomSource {
 public:
  SodiumRandom() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  }
  std::uint32_t Uniform(std::uint32_t upper) override { return randombytes_uniform(upper); }
};

std::int64_t Clamp0(std::int64_t v) { return std::max<std::int64_t>(v, 0); }

}  // namespace

std::unique_ptr<RandomSource> MakeSodiumRandom() { return std::make_unique<SodiumRandom>(); }

DiscreteLaplace::DiscreteLaplace(RandomSource& random, std::uint32_t s, std::uint32_t t)
    : random_(random), s_(s), t_(t) {
  if (s == 0 || t == 0) throw std::invalid_argument("discrete Laplace: s and t must be >= 1");
}

double DiscreteLaplace::alpha() const {
  return std::exp(-static_cast<double>(s_) / static_cast<double>(t_));
}

// Bernoulli(exp(-num/den)) for num <= den: K = 1, 2, ... while
// Bernoulli(num / (den * K)); the result is whether K ended odd.
bool DiscreteLaplace::BernoulliExpAtMostOne(std::uint32_t num, std::uint32_t den) {
  std::uint64_t k = 1;
  for (;;) {
    const std::uint64_t range = std::uint64_t{den} * k;
    if (range > 0xffffffffu) break;  // K ~ 10^5: probability ~ 1/K!, never in practice
    if (random_.Uniform(static_cast<std::uint32_t>(range)) >= num) break;
    ++k;
  }
  return k % 2 == 1;
}

bool DiscreteLaplace::BernoulliExp(std::uint32_t num, std::uint32_t den) {
  while (num > den) {
    if (!BernoulliExpAtMostOne(1, 1)) return false;
    num -= den;
  }
  return BernoulliExpAtMostOne(num, den);
}

std::int64_t DiscreteLaplace::Sample() {
  for (;;) {
    const std::uint32_t u = random_.Uniform(t_);
    if (!BernoulliExp(u, t_)) continue;
    std::uint64_t v = 0;
    while (BernoulliExp(1, 1)) ++v;
    const std::uint64_t x = u + std::uint64_t{t_} * v;
    const auto y = static_cast<std::int64_t>(x / s_);
    const bool negative = random_.Uniform(2) == 1;
    if (negative && y == 0) continue;
    return negative ? -y : y;
  }
}

namespace {
std::uint32_t Milli(double epsilon) {
  if (!(epsilon >= 0.001 && epsilon <= 100)) {
    throw std::invalid_argument("noise: epsilon must be from 0.001 to 100");
  }
  return static_cast<std::uint32_t>(std::lround(epsilon * 1000));
}
}  // namespace

WindowNoise::WindowNoise(double epsilon, std::unique_ptr<RandomSource> random)
    : random_(std::move(random)),
      // exp(-|z| * epsilon / sensitivity), epsilon in thousandths.
      laplace_(*random_, Milli(epsilon), 1000 * kNoiseSensitivity) {}

std::int64_t WindowNoise::Noisy(std::int64_t v) { return Clamp0(v + laplace_.Sample()); }

analytics::WindowReport WindowNoise::Apply(const analytics::WindowReport& report) {
  analytics::WindowReport out = report;
  const auto noisy = [this](std::uint64_t v) {
    return static_cast<std::uint64_t>(Noisy(static_cast<std::int64_t>(v)));
  };
  out.global_mac = noisy(report.global_mac);
  out.randomized_mac = noisy(report.randomized_mac);
  out.devices = out.global_mac + out.randomized_mac;
  out.rssi_min.reset();
  out.rssi_median.reset();
  out.rssi_max.reset();
  const analytics::PeopleReport& p = report.people;
  analytics::PeopleReport& q = out.people;
  q.estimated_devices = noisy(p.estimated_devices);
  q.occupancy = noisy(p.occupancy);
  q.visitors = noisy(p.visitors);
  q.stationary = noisy(p.stationary);
  q.arrivals = noisy(p.arrivals);
  q.passersby = noisy(p.passersby);
  q.engagement.under_5m = noisy(p.engagement.under_5m);
  q.engagement.from_5_to_20m = noisy(p.engagement.from_5_to_20m);
  q.engagement.from_20_to_60m = noisy(p.engagement.from_20_to_60m);
  q.engagement.from_1_to_6h = noisy(p.engagement.from_1_to_6h);
  q.engagement.over_6h = noisy(p.engagement.over_6h);
  const std::uint64_t others = p.passersby + p.visitor_visits;
  const std::uint64_t stationary_departures = p.departures > others ? p.departures - others : 0;
  const std::uint64_t sd = noisy(stationary_departures);
  q.visitor_visits = q.engagement.under_5m + q.engagement.from_5_to_20m +
                     q.engagement.from_20_to_60m + q.engagement.from_1_to_6h + q.engagement.over_6h;
  q.departures = q.passersby + q.visitor_visits + sd;
  q.capture_rate.reset();
  if (q.visitor_visits + q.passersby > 0) {
    q.capture_rate =
        static_cast<double>(q.visitor_visits) / static_cast<double>(q.visitor_visits + q.passersby);
  }
  q.dwell_p50_s.reset();
  q.dwell_p90_s.reset();
  // The epoch totals: running noisy sums of each window's newcomers.
  if (!started_ || p.epoch_start != epoch_) {
    started_ = true;
    epoch_ = p.epoch_start;
    true_devices_ = true_visitors_ = 0;
    noisy_devices_ = noisy_visitors_ = 0;
  }
  const auto newcomers = [](std::uint64_t now, std::uint64_t before) {
    return static_cast<std::int64_t>(now > before ? now - before : 0);
  };
  noisy_devices_ += newcomers(p.epoch_devices, true_devices_) + laplace_.Sample();
  noisy_visitors_ += newcomers(p.epoch_visitors, true_visitors_) + laplace_.Sample();
  true_devices_ = std::max(true_devices_, p.epoch_devices);
  true_visitors_ = std::max(true_visitors_, p.epoch_visitors);
  q.epoch_devices = static_cast<std::uint64_t>(Clamp0(noisy_devices_));
  q.epoch_visitors = static_cast<std::uint64_t>(Clamp0(noisy_visitors_));
  return out;
}

}  // namespace footfall::transport
