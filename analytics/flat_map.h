// Purpose: an open-addressing hash table from 64-bit keys to small values, for
// the per-frame lookups of the analytics: one array, no allocation per entry,
// linear probing, at most half full. Entries are only removed in bulk
// (Retain), which rebuilds the array, so there are no tombstones. Pointers
// returned by Find/Insert are valid until the next Insert or Retain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace footfall::analytics {

template <typename V>
class FlatMap final {
 public:
  explicit FlatMap(std::size_t capacity = 16) { Reset(capacity); }

  V* Find(std::uint64_t key) {
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  const V* Find(std::uint64_t key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // The value of `key`, inserted value-initialized if absent.
  V& Insert(std::uint64_t key) {
    if (2 * (size_ + 1) > slots_.size()) Rehash(2 * slots_.size());
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used) {
        s.used = true;
        s.key = key;
        s.value = V{};
        ++size_;
        return s.value;
      }
      if (s.key == key) return s.value;
    }
  }

  // Keeps the entries for which keep(key, value) is true.
  template <typename Keep>
  void Retain(Keep keep) {
    std::vector<Slot> old;
    old.swap(slots_);
    std::size_t kept = 0;
    for (const Slot& s : old) kept += s.used && keep(s.key, s.value) ? 1 : 0;
    std::size_t capacity = 16;
    while (capacity < 4 * kept) capacity *= 2;  // room to grow before the next rehash
    Reset(capacity);
    for (Slot& s : old) {
      if (s.used && keep(s.key, s.value)) Insert(s.key) = std::move(s.value);
    }
  }

  std::size_t size() const { return size_; }
  void Clear() { Reset(16); }

 private:
  struct Slot {
    std::uint64_t key = 0;
    bool used = false;
    V value{};
  };

  std::size_t Home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void Reset(std::size_t capacity) {
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    size_ = 0;
  }
  void Rehash(std::size_t capacity) {
    std::vector<Slot> old;
    old.swap(slots_);
    Reset(capacity);
    for (Slot& s : old) {
      if (s.used) Insert(s.key) = std::move(s.value);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace footfall::analytics
