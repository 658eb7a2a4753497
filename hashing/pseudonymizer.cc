// Purpose: MAC -> pseudonym under a rotating secret key (see pseudonymizer.h).
// The two key slots live in one SecureMemory area that is read-only except
// while a key is written or wiped; the key of epoch n is in slot n % 2. The
// retired slot is wiped at the rotation, or, with a carry-over, at the first
// AdvanceTo() at or after the rotation instant + carry_over_max (and in any
// case before the slot takes the next key). Pseudonymize() is the hot path: it
// allocates nothing.
#include "hashing/pseudonymizer.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "base/byte_order.h"

namespace footfall::hashing {

const char* AlgorithmName(Algorithm algorithm) {
  return algorithm == Algorithm::kBlake2b ? "blake2b" : "siphash24";
}

Result<Algorithm> ParseAlgorithm(std::string_view name) {
  if (name == "siphash24") return Algorithm::kSipHash24;
  if (name == "blake2b") return Algorithm::kBlake2b;
  return Fail("must be \"siphash24\" or \"blake2b\" (got \"" + std::string(name) + "\")");
}

namespace {

static_assert(kKeyBytes == crypto_shorthash_KEYBYTES, "SipHash-2-4 takes a 16-byte key");
static_assert(kKeyBytes >= crypto_generichash_KEYBYTES_MIN &&
                  kKeyBytes <= crypto_generichash_KEYBYTES_MAX,
              "keyed BLAKE2b must accept the key size");
static_assert(crypto_shorthash_BYTES == 8, "SipHash-2-4 gives 8 bytes");

// BLAKE2b output length: libsodium documents 16 bytes as the minimum, so the
// hash is 16 bytes long and the pseudonym is its first 8.
constexpr std::size_t kBlake2bOutBytes = crypto_generichash_BYTES_MIN;

class RandomKeySource final : public KeySource {
 public:
  void Fill(std::uint8_t* out, std::uint64_t /*epoch*/) override {
    randombytes_buf(out, kKeyBytes);
  }
};

}  // namespace

std::unique_ptr<KeySource> MakeRandomKeySource() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  return std::make_unique<RandomKeySource>();
}

Pseudonymizer::Pseudonymizer(Algorithm algorithm, std::unique_ptr<RotationSchedule> schedule,
                             std::unique_ptr<KeySource> keys, TimePoint now,
                             std::chrono::seconds carry_over_max)
    : algorithm_(algorithm),
      schedule_(std::move(schedule)),
      keys_(std::move(keys)),
      carry_over_max_(carry_over_max) {
  if (!schedule_ || !keys_) throw std::invalid_argument("Pseudonymizer needs a schedule and keys");
  if (carry_over_max_.count() < 0) throw std::invalid_argument("carry_over_max must be >= 0");
  // area_ (SecureMemory: locked, not in core dumps, guarded, zeroed) is
  // wiped by its destructor if anything below fails.
  slot_ = 0;
  epoch_ = 0;
  index_ = schedule_->EpochIndex(now);
  keys_->FillFor(Slot(slot_), Epoch{epoch_, index_});
  area_.MakeReadOnly();
  epoch_start_ = now;
  next_rotation_ = schedule_->NextAfter(now);
}

Pseudonymizer::~Pseudonymizer() = default;  // SecureMemory wipes the keys

std::uint8_t* Pseudonymizer::Slot(std::size_t slot) { return area_.data() + slot * kKeyBytes; }

const std::uint8_t* Pseudonymizer::Slot(std::size_t slot) const {
  return area_.data() + slot * kKeyBytes;
}

bool Pseudonymizer::AdvanceTo(TimePoint now) {
  bool rotated = false;
  if (now >= next_rotation_) {
    if (schedule_->EpochIndex(now) <= index_) {
      // The current key is already this epoch's or a later one's (made by an
      // unscheduled rotation a moment ago): it stays, the next instant is set.
      next_rotation_ = schedule_->NextAfter(now);
    } else {
      // However many periods were skipped, one new key is enough: the epochs
      // in between had no traffic to pseudonymize.
      Rotate(now, RotationReason::kScheduled);
      rotated = true;
    }
  }
  if (carrying_ && now >= carry_until_) WipeCarried();
  if (rotated) key_boot_.reset();  // its age counts from the next boot-clock reading
  return rotated;
}

bool Pseudonymizer::AdvanceTo(TimePoint now, capture::BootTime boot) {
  const std::optional<std::chrono::nanoseconds> step = jumps_.Observe(now, boot);
  if (!key_boot_) key_boot_ = boot;
  std::optional<RotationReason> force;
  if (step && *step < std::chrono::nanoseconds::zero()) {
    force = RotationReason::kClockStepBack;  // the schedule's instants no longer bound the key
  } else if (AdvanceTo(now)) {
    key_boot_ = boot;  // on schedule
    return true;
  } else if (boot - *key_boot_ >= schedule_->MaxKeyAge()) {
    force = RotationReason::kKeyAge;
  }
  if (!force) return false;
  Rotate(now, *force);
  key_boot_ = boot;
  return true;
}

void Pseudonymizer::Rotate(TimePoint now, RotationReason reason) {
  const bool scheduled = reason == RotationReason::kScheduled;
  // The end of the current epoch: the scheduled instant, or now.
  const TimePoint boundary = scheduled ? next_rotation_ : now;
  // Never the index of an earlier key (a stepped-back clock would repeat one).
  const std::int64_t index = std::max(schedule_->EpochIndex(now), index_ + 1);
  const std::size_t next_slot = slot_ ^ 1U;
  {
    const SecureMemory::WriteScope writable(area_);  // read-only again at the scope's end
    // A key still carried over from the epoch before is gone now, whatever happens.
    area_.Wipe(next_slot * kKeyBytes, kKeyBytes);
    carrying_ = false;
    try {
      keys_->FillFor(Slot(next_slot), Epoch{epoch_ + 1, index});
    } catch (...) {
      // Keep the old key; wipe the half-written new one.
      area_.Wipe(next_slot * kKeyBytes, kKeyBytes);
      throw;
    }
    const TimePoint until = boundary + carry_over_max_;
    if (scheduled && carry_over_max_.count() > 0 && now < until) {
      carrying_ = true;  // the retired key recognises devices already present until `until`
      carry_until_ = until;
    } else {
      area_.Wipe(slot_ * kKeyBytes, kKeyBytes);  // the retired key is gone
    }
  }
  slot_ = next_slot;
  ++epoch_;
  index_ = index;
  reason_ = reason;
  epoch_start_ = now;
  next_rotation_ = schedule_->NextAfter(now);
}

void Pseudonymizer::WipeCarried() {
  {
    const SecureMemory::WriteScope writable(area_);
    area_.Wipe((slot_ ^ 1U) * kKeyBytes, kKeyBytes);
  }
  carrying_ = false;
}

std::uint64_t Pseudonymizer::Prf(const std::uint8_t* key, const capture::MacAddress& mac) {
  ++prf_evaluations_;
  if (algorithm_ == Algorithm::kSipHash24) {
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, mac.data(), capture::MacAddress::kSize, key);
    return LoadLe64(out);  // the pseudonym itself: nothing secret to wipe
  }
  unsigned char out[kBlake2bOutBytes];
  if (crypto_generichash(out, sizeof out, mac.data(), capture::MacAddress::kSize, key, kKeyBytes) !=
      0) {
    throw std::runtime_error("keyed BLAKE2b failed");
  }
  return LoadLe64(out);
}

std::uint64_t Pseudonymizer::Fingerprint(const std::uint8_t* signature, std::size_t len) const {
  // A leading tag byte and the length keep these inputs apart from the 6-byte
  // MAC inputs of the pseudonyms: no signature can hash to a MAC's pseudonym.
  constexpr std::size_t kMax = 256;
  unsigned char input[kMax + 2];
  len = std::min(len, kMax);
  input[0] = 0xF1;  // domain: model fingerprint
  input[1] = static_cast<unsigned char>(len);
  std::memcpy(input + 2, signature, len);
  const std::uint8_t* key = Slot(slot_);
  if (algorithm_ == Algorithm::kSipHash24) {
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, input, len + 2, key);
    return LoadLe64(out);
  }
  unsigned char out[kBlake2bOutBytes];
  if (crypto_generichash(out, sizeof out, input, len + 2, key, kKeyBytes) != 0) {
    throw std::runtime_error("keyed BLAKE2b failed");
  }
  return LoadLe64(out);
}

Pseudonym Pseudonymizer::Pseudonymize(capture::MacAddress& mac) {
  Pseudonym p;
  p.randomized = mac.locally_administered();
  try {
    p.value = Prf(Slot(slot_), mac);
    if (carrying_) {
      p.carried = Prf(Slot(slot_ ^ 1U), mac);
      p.has_carried = true;
    }
  } catch (...) {
    mac.Wipe();
    throw;
  }
  mac.Wipe();
  return p;
}

}  // namespace footfall::hashing
