// Purpose: how many distinct 64-bit keys were added, in bounded memory: exact
// while small (a set of up to kExactLimit keys), then a HyperLogLog sketch
// (2^14 one-byte registers, 16 KiB, standard error about 0.8 %). Keys must
// already be uniformly distributed (pseudonyms are keyed-hash outputs; other
// callers mix theirs with Mix64).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "hashing/wiping_allocator.h"

namespace footfall::analytics {

class DistinctCounter final {
 public:
  static constexpr std::size_t kExactLimit = 4096;
  static constexpr int kPrecision = 14;

  void Add(std::uint64_t key);
  std::uint64_t Estimate() const;
  void Clear();
  bool exact() const { return registers_.empty(); }

 private:
  void AddToSketch(std::uint64_t key);

  // Keys (for a global MAC its pseudonym) until Clear() at the epoch's end;
  // freed memory is wiped.
  hashing::WipedHashSet exact_;
  hashing::WipedVector<std::uint8_t> registers_;  // empty while exact
};

// A bijective 64-bit mixer (splitmix64's finaliser), for keys that are not
// already uniform such as serial numbers.
std::uint64_t Mix64(std::uint64_t x);

}  // namespace footfall::analytics
