// Purpose: exact-then-HyperLogLog distinct counting (see distinct_counter.h).
// The estimator is Flajolet et al.'s with the linear-counting correction for
// small cardinalities (Heule et al. 2013, "HyperLogLog in practice").
#include "analytics/distinct_counter.h"

#include <array>
#include <cmath>

namespace footfall::analytics {

std::uint64_t Mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

void DistinctCounter::Add(std::uint64_t key) {
  if (registers_.empty()) {
    exact_.insert(key);
    if (exact_.size() <= kExactLimit) return;
    registers_.assign(std::size_t{1} << kPrecision, 0);
    for (std::uint64_t k : exact_) AddToSketch(k);
    exact_.clear();
    exact_.rehash(0);
    return;
  }
  AddToSketch(key);
}

void DistinctCounter::AddToSketch(std::uint64_t key) {
  const std::size_t index = static_cast<std::size_t>(key >> (64 - kPrecision));
  const std::uint64_t rest = (key << kPrecision) | (std::uint64_t{1} << (kPrecision - 1));
  const auto rank = static_cast<std::uint8_t>(__builtin_clzll(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

std::uint64_t DistinctCounter::Estimate() const {
  if (registers_.empty()) return exact_.size();
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  std::size_t zeros = 0;
  static const std::array<double, 66> kInversePowers = [] {
    std::array<double, 66> p{};
    for (std::size_t r = 0; r < p.size(); ++r) p[r] = std::ldexp(1.0, -static_cast<int>(r));
    return p;
  }();
  for (std::uint8_t r : registers_) {
    sum += kInversePowers[r];
    if (r == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) {
    estimate = m * std::log(m / static_cast<double>(zeros));  // linear counting
  }
  return static_cast<std::uint64_t>(std::llround(estimate));
}

void DistinctCounter::Clear() {
  exact_.clear();
  registers_.clear();
  registers_.shrink_to_fit();
}

}  // namespace footfall::analytics
