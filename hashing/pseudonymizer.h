// Purpose: the only place a MAC address is consumed. A keyed PRF (SipHash-2-4
// or keyed BLAKE2b, libsodium) under a random secret key that lives in
// sodium_malloc memory (locked, guarded, excluded from core dumps) turns the
// address into a 64-bit pseudonym; the address is wiped at once. The key
// rotates on a schedule and the retired key is wiped: after that, nobody can
// link a pseudonym to a MAC or to the pseudonyms of other epochs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "capture/mac_address.h"
#include "hashing/rotation.h"

namespace footfall::hashing {

struct Pseudonym {
  std::uint64_t value = 0;
  bool randomized = false;  // the MAC was locally administered
  friend bool operator==(const Pseudonym& a, const Pseudonym& b) {
    return a.value == b.value && a.randomized == b.randomized;
  }
};

enum class Algorithm { kSipHash24, kBlake2b };

inline constexpr std::size_t kKeyBytes = 16;  // SipHash key size; BLAKE2b uses 16 too

// Where keys come from. Production: randombytes_buf. Tests may inject their own.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // Writes a fresh key for `epoch` into `out` (kKeyBytes).
  virtual void Fill(std::uint8_t* out, std::uint64_t epoch) = 0;
};

std::unique_ptr<KeySource> MakeRandomKeySource();

class Pseudonymizer final {
 public:
  // Calls sodium_init(); throws std::runtime_error if libsodium cannot start
  // or the key memory cannot be allocated. The first key is made at `now`.
  Pseudonymizer(Algorithm algorithm, std::unique_ptr<RotationSchedule> schedule,
                std::unique_ptr<KeySource> keys, TimePoint now);
  ~Pseudonymizer();
  Pseudonymizer(const Pseudonymizer&) = delete;
  Pseudonymizer& operator=(const Pseudonymizer&) = delete;

  // Rotates the key if `now` has reached the next rotation. Returns true if it did.
  bool AdvanceTo(TimePoint now);

  // Keyed hash of the address under the current key; wipes `mac`.
  Pseudonym Pseudonymize(capture::MacAddress& mac);

  std::uint64_t epoch() const { return epoch_; }  // 0 for the first key
  TimePoint epoch_start() const { return epoch_start_; }
  TimePoint next_rotation() const { return next_rotation_; }

  // Test hook: the whole sodium_malloc'd key area (two kKeyBytes slots; the
  // current key in one, the retired one wiped in the other). Read-only view.
  const std::uint8_t* key_area_for_test() const { return area_; }
  std::size_t key_area_size_for_test() const { return 2 * kKeyBytes; }
  std::size_t current_slot_for_test() const { return slot_; }

 private:
  void Rotate(TimePoint now);

  Algorithm algorithm_;
  std::unique_ptr<RotationSchedule> schedule_;
  std::unique_ptr<KeySource> keys_;
  std::uint8_t* area_ = nullptr;  // sodium_malloc(2 * kKeyBytes), read-only between rotations
  std::size_t slot_ = 0;
  std::uint64_t epoch_ = 0;
  TimePoint epoch_start_{};
  TimePoint next_rotation_{};
};

}  // namespace footfall::hashing
