// Purpose: shared-key mode, for several sensors of one site that must agree
// on pseudonyms (to de-duplicate a device seen by more than one). Every sensor
// is provisioned with the same 32-byte seed file; the key of each epoch is
// derived from the current seed (crypto_kdf_derive_from_key, subkey id = the
// schedule's absolute epoch index, so sensors agree without talking), and at
// every epoch boundary the seed is replaced by a one-way function of itself
// (keyed BLAKE2b), rewritten atomically (mode 0600) and the old value wiped
// from memory. A sensor stolen today therefore reveals nothing about past
// epochs; a sensor started late ratchets forward to the current epoch.
//
// The seed file is text, so an operator can see which epoch it is for:
//
//   footfall-seed 1
//   schedule every 3600 s
//   epoch 494123
//   seed <64 hex digits>
//
// "schedule" is RotationSchedule::Describe(): a file made for another schedule
// is refused, since its epoch numbers would mean something else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "hashing/pseudonymizer.h"
#include "hashing/rotation.h"
#include "hashing/secure_memory.h"

namespace footfall::hashing {

inline constexpr std::size_t kSeedBytes = 32;  // crypto_kdf_KEYBYTES
// A late sensor catches up by at most this many ratchets (about 3 s of CPU);
// a file further behind is refused as implausible.
inline constexpr std::int64_t kMaxCatchUpEpochs = 10'000'000;

class SeedKeySource final : public KeySource {
 public:
  // Reads the seed file at `path` (regular file, not a symlink, no access for
  // group or others, made for `schedule`). Throws std::runtime_error naming
  // the file and the problem. The seed goes straight into SecureMemory;
  // no other copy is kept.
  SeedKeySource(std::string path, const RotationSchedule& schedule);
  ~SeedKeySource() override;
  SeedKeySource(const SeedKeySource&) = delete;
  SeedKeySource& operator=(const SeedKeySource&) = delete;

  // Not used by the Pseudonymizer (which calls FillFor); throws std::logic_error.
  void Fill(std::uint8_t* out, std::uint64_t epoch) override;
  // Ratchets the seed forward to `epoch.index` (rewriting the file if it
  // moved), then derives the epoch key from it. Throws std::runtime_error if
  // `epoch.index` is before the seed's epoch (the old seeds no longer exist)
  // or the file cannot be rewritten (the sensor must not keep running with an
  // old seed on disk).
  void FillFor(std::uint8_t* out, const Epoch& epoch) override;

  std::int64_t epoch_index() const { return epoch_index_; }
  const std::string& path() const { return path_; }

  // Test hook: the SecureMemory seed area (the seed, then a scratch slot
  // that is zero between ratchets). Read-only view.
  const std::uint8_t* seed_area_for_test() const { return area_.data(); }
  std::size_t seed_area_size_for_test() const { return 2 * kSeedBytes; }

 private:
  void RatchetTo(std::int64_t index);
  void Persist();

  std::string path_;
  std::string schedule_;
  SecureMemory area_{2 * kSeedBytes};  // the seed, then a scratch slot; read-only between ratchets
  std::int64_t epoch_index_ = 0;
};

// Writes a seed file for `epoch_index` of `schedule` atomically (temp file in
// the same directory, fsync, rename, fsync of the directory; mode 0600). If a
// previous file is replaced, its old contents are overwritten with zeros
// through a descriptor kept open across the rename (best effort against
// recovery from the disk). Throws std::runtime_error.
void WriteSeedFile(const std::string& path, const std::string& schedule, std::int64_t epoch_index,
                   const std::uint8_t* seed);

// Provisions a site: a fresh random seed for the epoch containing `now`.
// Refuses to overwrite an existing file. Copy the file to every sensor of the
// site before the next rotation (a copy made later still works: the sensor
// catches up).
void ProvisionSeedFile(const std::string& path, const RotationSchedule& schedule, TimePoint now);

// The one-way step from one epoch's seed to the next's: next = BLAKE2b-256
// keyed with `seed` over a fixed label. `next` and `seed` must not overlap.
void RatchetSeed(const std::uint8_t* seed, std::uint8_t* next);
// The key of epoch `index` from that epoch's seed (kKeyBytes).
void DeriveEpochKey(const std::uint8_t* seed, std::int64_t index, std::uint8_t* key);

}  // namespace footfall::hashing
