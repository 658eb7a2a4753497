// Purpose: the only place a MAC address is consumed. A keyed PRF (SipHash-2-4
// or keyed BLAKE2b, libsodium) under a random secret key that lives in
// sodium_malloc memory (locked, guarded, excluded from core dumps) turns the
// address into a 64-bit pseudonym; the address is wiped at once. The key
// rotates on a schedule and the retired key is wiped: after that, nobody can
// link a pseudonym to a MAC or to the pseudonyms of other epochs. Optionally
// (carry_over_max > 0) the retired key is kept for a bounded time after the
// rotation, so that a device already present can still be recognised under its
// previous pseudonym; at the end of that bound it is wiped.
//
// The wall clock can be stepped (an operator, spoofed NTP, a board without a
// real-time clock), so the key's lifetime is also measured on the boot clock:
// given it (AdvanceTo with a BootTime), the key rotates once its age there
// reaches the schedule's period, and at once when the wall clock steps back
// by more than a minute against the boot clock (capture::ClockJumpDetector).
// Such an unscheduled rotation wipes the old key at once (no carry-over).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "capture/clock.h"
#include "capture/mac_address.h"
#include "hashing/rotation.h"
#include "hashing/secure_memory.h"

namespace footfall::hashing {

struct Pseudonym {
  std::uint64_t value = 0;
  bool randomized = false;  // the MAC was locally administered
  // During a carry-over after a rotation: the pseudonym of the same MAC under
  // the previous epoch's key, so a device already counted is recognised.
  bool has_carried = false;
  std::uint64_t carried = 0;
  friend bool operator==(const Pseudonym& a, const Pseudonym& b) {
    return a.value == b.value && a.randomized == b.randomized;
  }
};

enum class Algorithm { kSipHash24, kBlake2b };

// Why the key last rotated.
enum class RotationReason {
  kScheduled,      // the schedule's instant was reached on the wall clock
  kKeyAge,         // the key's age on the boot clock reached the period
  kClockStepBack,  // the wall clock stepped back by more than a minute
};
// "siphash24" / "blake2b" (config, info topic).
const char* AlgorithmName(Algorithm algorithm);
// The inverse; any other name is an error (never a silent default).
Result<Algorithm> ParseAlgorithm(std::string_view name);

inline constexpr std::size_t kKeyBytes = 16;  // SipHash key size; BLAKE2b uses 16 too

// Which epoch a key is for.
struct Epoch {
  std::uint64_t number = 0;  // this Pseudonymizer's count: 0 for its first key, +1 per rotation
  std::int64_t index = 0;    // the schedule's absolute index (RotationSchedule::EpochIndex)
};

// Where keys come from. Production: randombytes_buf, or keys derived from a
// seed shared by the sensors of a site (seed_key_source.h). Tests may inject
// their own.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // Writes a fresh key for epoch number `epoch` (Epoch::number) into `out`
  // (kKeyBytes). Throws on failure.
  virtual void Fill(std::uint8_t* out, std::uint64_t epoch) = 0;
  // What the Pseudonymizer calls. Sources whose keys depend on the schedule's
  // absolute epoch index (shared-key mode) override it; by default it is
  // Fill(out, epoch.number).
  virtual void FillFor(std::uint8_t* out, const Epoch& epoch) { Fill(out, epoch.number); }
};

std::unique_ptr<KeySource> MakeRandomKeySource();

class Pseudonymizer final {
 public:
  // Calls sodium_init(); throws std::runtime_error if libsodium cannot start
  // or the key memory cannot be allocated. The first key is made at `now`.
  // `carry_over_max` (>= 0): how long after a rotation the retired key is kept
  // to recognise devices already present; 0 wipes it at the rotation.
  Pseudonymizer(Algorithm algorithm, std::unique_ptr<RotationSchedule> schedule,
                std::unique_ptr<KeySource> keys, TimePoint now,
                std::chrono::seconds carry_over_max = std::chrono::seconds(0));
  ~Pseudonymizer();
  Pseudonymizer(const Pseudonymizer&) = delete;
  Pseudonymizer& operator=(const Pseudonymizer&) = delete;

  // Rotates the key if `now` has reached the next rotation, and wipes a
  // carried-over key whose bound has passed. Call it with the event's time
  // before Pseudonymize(). Returns true if it rotated.
  bool AdvanceTo(TimePoint now);
  // The same, and rotates also if the key's age on the boot clock (`boot`,
  // CLOCK_BOOTTIME in production, injected in tests) has reached the
  // schedule's MaxKeyAge(), or if the wall clock stepped back by more than
  // a minute since the previous call. A live sensor calls it about once a
  // second; the age counts from the first such call after the key was made.
  bool AdvanceTo(TimePoint now, capture::BootTime boot);
  RotationReason last_rotation_reason() const { return reason_; }
  // The schedule's absolute index of the current key's epoch. After an
  // unscheduled rotation it runs ahead of the schedule's (it never repeats).
  std::int64_t epoch_index() const { return index_; }

  // Keyed hash of the address under the current key (and, during a carry-over,
  // under the previous one too); wipes `mac`.
  Pseudonym Pseudonymize(capture::MacAddress& mac);

  // Keyed hash of a probe request's model signature (capture::IeSignature)
  // under the current key, domain-separated from the MAC pseudonyms. Like a
  // pseudonym it means nothing under another epoch's key. Not counted in
  // prf_evaluations() (that figure counts hashed addresses).
  std::uint64_t Fingerprint(const std::uint8_t* signature, std::size_t len) const;

  std::uint64_t epoch() const { return epoch_; }  // 0 for the first key
  TimePoint epoch_start() const { return epoch_start_; }
  TimePoint next_rotation() const { return next_rotation_; }
  // Whether the previous epoch's key is still kept, and until when.
  bool carrying_over() const { return carrying_; }
  TimePoint carry_over_until() const { return carry_until_; }
  // How many times the keyed PRF has run (a frame dropped before hashing
  // never adds to it; a carry-over adds two per address).
  std::uint64_t prf_evaluations() const { return prf_evaluations_; }

  // Test hook: the whole sodium_malloc'd key area (two kKeyBytes slots; the
  // current key in one; the other holds the retired key only during a
  // carry-over and is zero otherwise). Read-only view.
  const std::uint8_t* key_area_for_test() const { return area_.data(); }
  std::size_t key_area_size_for_test() const { return 2 * kKeyBytes; }
  std::size_t current_slot_for_test() const { return slot_; }

 private:
  void Rotate(TimePoint now, RotationReason reason);
  void WipeCarried();
  std::uint8_t* Slot(std::size_t slot);
  const std::uint8_t* Slot(std::size_t slot) const;
  std::uint64_t Prf(const std::uint8_t* key, const capture::MacAddress& mac);

  Algorithm algorithm_;
  std::unique_ptr<RotationSchedule> schedule_;
  std::unique_ptr<KeySource> keys_;
  std::chrono::seconds carry_over_max_;
  SecureMemory area_{2 * kKeyBytes};  // two key slots, read-only between rotations
  std::size_t slot_ = 0;
  std::uint64_t epoch_ = 0;
  TimePoint epoch_start_{};
  TimePoint next_rotation_{};
  bool carrying_ = false;
  TimePoint carry_until_{};
  std::uint64_t prf_evaluations_ = 0;
  std::int64_t index_ = 0;
  RotationReason reason_ = RotationReason::kScheduled;
  std::optional<capture::BootTime> key_boot_;  // boot time the key's age counts from
  capture::ClockJumpDetector jumps_{std::chrono::minutes(1)};  // a step of over a minute rotates
};

}  // namespace footfall::hashing
