// Purpose: an allocator that wipes memory (sodium_memzero) before it is given
// back, for the containers that hold keyed per-device state (pseudonyms,
// sequence numbers, signal, sighting times): whatever a container frees —
// an erased node, the old array after a growth or a rebuild — is zero before
// the heap can hand it to anyone else. Memory a container keeps (a vector's
// spare capacity after clear()) is not freed and so not wiped by this: wipe
// it where it is cleared. `Base` does the real allocation (tests pass one
// that checks the bytes it gets back).
#pragma once

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace footfall::hashing {

// Not final: the standard containers derive from their allocator.
template <typename T, typename Base = std::allocator<T>>
class WipingAllocator {
 public:
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;
  template <typename U>
  struct rebind {
    using other =
        WipingAllocator<U, typename std::allocator_traits<Base>::template rebind_alloc<U>>;
  };

  WipingAllocator() = default;
  template <typename U, typename B>
  WipingAllocator(const WipingAllocator<U, B>& /*other*/) {}  // NOLINT: stateless

  T* allocate(std::size_t n) { return base().allocate(n); }
  void deallocate(T* p, std::size_t n) {
    if (p != nullptr && n > 0) sodium_memzero(static_cast<void*>(p), n * sizeof(T));
    base().deallocate(p, n);
  }

  template <typename U, typename B>
  friend bool operator==(const WipingAllocator&, const WipingAllocator<U, B>&) {
    return true;
  }
  template <typename U, typename B>
  friend bool operator!=(const WipingAllocator&, const WipingAllocator<U, B>&) {
    return false;
  }

 private:
  static Base base() { return Base(); }  // stateless bases only
};

// The standard containers with it.
template <typename T>
using WipedVector = std::vector<T, WipingAllocator<T>>;
template <typename T>
using WipedDeque = std::deque<T, WipingAllocator<T>>;
// Their keys are 64-bit keyed-hash outputs (pseudonyms, fingerprints, mixed
// keys): already uniform, so the value is its own bucket hash.
struct UniformKeyHash {
  std::size_t operator()(std::uint64_t k) const noexcept { return static_cast<std::size_t>(k); }
};
template <typename V>
using WipedHashMap =
    std::unordered_map<std::uint64_t, V, UniformKeyHash, std::equal_to<std::uint64_t>,
                       WipingAllocator<std::pair<const std::uint64_t, V>>>;
using WipedHashSet = std::unordered_set<std::uint64_t, UniformKeyHash, std::equal_to<std::uint64_t>,
                                        WipingAllocator<std::uint64_t>>;

// Zeroes `n` bytes at `p` (sodium_memzero: not optimised away).
inline void Wipe(void* p, std::size_t n) {
  if (p != nullptr && n > 0) sodium_memzero(p, n);
}

}  // namespace footfall::hashing
