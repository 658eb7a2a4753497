// Purpose: MAC -> pseudonym under a rotating secret key (see pseudonymizer.h).
// The two key slots live in one sodium_malloc area that is read-only except
// while a new key is written; the key of epoch n is in slot n % 2, and the
// retired slot is wiped at every rotation. Pseudonymize() is the hot path: it
// allocates nothing.
#include "hashing/pseudonymizer.h"

#include <sodium.h>

#include <stdexcept>
#include <utility>

namespace footfall::hashing {
namespace {

static_assert(kKeyBytes == crypto_shorthash_KEYBYTES, "SipHash-2-4 takes a 16-byte key");
static_assert(kKeyBytes >= crypto_generichash_KEYBYTES_MIN &&
                  kKeyBytes <= crypto_generichash_KEYBYTES_MAX,
              "keyed BLAKE2b must accept the key size");
static_assert(crypto_shorthash_BYTES == 8, "SipHash-2-4 gives 8 bytes");

// BLAKE2b output length: libsodium documents 16 bytes as the minimum, so the
// hash is 16 bytes long and the pseudonym is its first 8.
constexpr std::size_t kBlake2bOutBytes = crypto_generichash_BYTES_MIN;

std::uint64_t LoadLittleEndian64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

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
                             std::unique_ptr<KeySource> keys, TimePoint now)
    : algorithm_(algorithm), schedule_(std::move(schedule)), keys_(std::move(keys)) {
  if (!schedule_ || !keys_) throw std::invalid_argument("Pseudonymizer needs a schedule and keys");
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  // sodium_malloc memory is locked (never swapped), excluded from core dumps
  // and surrounded by guard pages.
  area_ = static_cast<std::uint8_t*>(sodium_malloc(2 * kKeyBytes));
  if (area_ == nullptr) throw std::runtime_error("cannot allocate locked key memory");
  try {
    sodium_memzero(area_, 2 * kKeyBytes);
    slot_ = 0;
    epoch_ = 0;
    keys_->Fill(area_ + slot_ * kKeyBytes, epoch_);
    if (sodium_mprotect_readonly(area_) != 0) {
      throw std::runtime_error("cannot make key memory read-only");
    }
    epoch_start_ = now;
    next_rotation_ = schedule_->NextAfter(now);
  } catch (...) {
    sodium_mprotect_readwrite(area_);
    sodium_memzero(area_, 2 * kKeyBytes);
    sodium_free(area_);
    area_ = nullptr;
    throw;
  }
}

Pseudonymizer::~Pseudonymizer() {
  if (area_ == nullptr) return;
  sodium_mprotect_readwrite(area_);
  sodium_memzero(area_, 2 * kKeyBytes);
  sodium_free(area_);  // wipes again and unlocks
  area_ = nullptr;
}

bool Pseudonymizer::AdvanceTo(TimePoint now) {
  if (now < next_rotation_) return false;
  // However many periods were skipped, one new key is enough: the epochs in
  // between had no traffic to pseudonymize.
  Rotate(now);
  return true;
}

void Pseudonymizer::Rotate(TimePoint now) {
  const std::size_t next_slot = slot_ ^ 1U;
  if (sodium_mprotect_readwrite(area_) != 0) {
    throw std::runtime_error("cannot make key memory writable");
  }
  try {
    keys_->Fill(area_ + next_slot * kKeyBytes, epoch_ + 1);
  } catch (...) {
    // Keep the old key; wipe the half-written new one.
    sodium_memzero(area_ + next_slot * kKeyBytes, kKeyBytes);
    sodium_mprotect_readonly(area_);
    throw;
  }
  sodium_memzero(area_ + slot_ * kKeyBytes, kKeyBytes);  // the retired key is gone
  sodium_mprotect_readonly(area_);
  slot_ = next_slot;
  ++epoch_;
  epoch_start_ = now;
  next_rotation_ = schedule_->NextAfter(now);
}

Pseudonym Pseudonymizer::Pseudonymize(capture::MacAddress& mac) {
  Pseudonym p;
  p.randomized = mac.locally_administered();
  const unsigned char* key = area_ + slot_ * kKeyBytes;
  if (algorithm_ == Algorithm::kSipHash24) {
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, mac.data(), capture::MacAddress::kSize, key);
    p.value = LoadLittleEndian64(out);  // the pseudonym itself: nothing secret to wipe
  } else {
    unsigned char out[kBlake2bOutBytes];
    const int rc =
        crypto_generichash(out, sizeof out, mac.data(), capture::MacAddress::kSize, key, kKeyBytes);
    p.value = LoadLittleEndian64(out);
    if (rc != 0) {
      mac.Wipe();
      throw std::runtime_error("keyed BLAKE2b failed");
    }
  }
  mac.Wipe();
  return p;
}

}  // namespace footfall::hashing
