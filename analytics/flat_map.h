// Purpose: an open-addressing hash table from 64-bit keys to small values, for
// the per-frame lookups of the analytics: one array of (key, value) slots, no
// allocation per entry, linear probing, at most half full. Key 0 marks an
// empty slot (the key 0 itself is kept beside the array). Entries are only
// removed in bulk (Retain), which rebuilds the array, so there are no
// tombstones. Pointers returned by Find/Insert are valid until the next
// Insert or Retain. The slots hold keyed per-device state: every array the
// table lets go of (after a growth, a Retain or a Clear) is wiped before it
// is freed (hashing::WipingAllocator), so removed entries leave nothing behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "hashing/wiping_allocator.h"

namespace footfall::analytics {

template <typename V>
class FlatMap final {
 public:
  explicit FlatMap(std::size_t capacity = 16) { Reset(capacity); }

  V* Find(std::uint64_t key) {
    if (key == 0) return zero_used_ ? &zero_value_ : nullptr;
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == 0) return nullptr;
    }
  }
  const V* Find(std::uint64_t key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // The value of `key`, inserted value-initialized if absent.
  V& Insert(std::uint64_t key) {
    if (key == 0) {
      if (!zero_used_) {
        zero_used_ = true;
        zero_value_ = V{};
      }
      return zero_value_;
    }
    if (2 * (in_array_ + 1) > slots_.size()) Rehash(2 * slots_.size());
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return s.value;
      if (s.key == 0) {
        s.key = key;
        s.value = V{};
        ++in_array_;
        return s.value;
      }
    }
  }

  // Keeps the entries for which keep(key, value) is true.
  template <typename Keep>
  void Retain(Keep keep) {
    Slots old;
    old.swap(slots_);
    Slots kept;
    for (Slot& s : old) {
      if (s.key != 0 && keep(s.key, s.value)) kept.push_back(std::move(s));
    }
    const bool keep_zero = zero_used_ && keep(std::uint64_t{0}, zero_value_);
    V zero = std::move(zero_value_);
    std::size_t capacity = 16;
    while (capacity < 4 * kept.size()) capacity *= 2;  // room to grow before a rehash
    Reset(capacity);
    for (Slot& s : kept) Insert(s.key) = std::move(s.value);
    if (keep_zero) Insert(0) = std::move(zero);
  }

  std::size_t size() const { return in_array_ + (zero_used_ ? 1 : 0); }
  void Clear() { Reset(16); }

 private:
  struct Slot {
    std::uint64_t key = 0;  // 0: empty
    V value{};
  };
  using Slots = std::vector<Slot, hashing::WipingAllocator<Slot>>;

  std::size_t Home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void Reset(std::size_t capacity) {
    Slots(capacity).swap(slots_);  // the old array is wiped as it is freed
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    in_array_ = 0;
    zero_used_ = false;
    zero_value_ = V{};
  }
  void Rehash(std::size_t capacity) {
    Slots old;
    old.swap(slots_);
    const bool zero_used = zero_used_;
    V zero = std::move(zero_value_);
    Reset(capacity);
    for (Slot& s : old) {
      if (s.key != 0) Insert(s.key) = std::move(s.value);
    }
    zero_used_ = zero_used;
    zero_value_ = std::move(zero);
  }

  Slots slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t in_array_ = 0;  // entries in slots_ (key 0 aside)
  bool zero_used_ = false;
  V zero_value_{};
};

}  // namespace footfall::analytics
