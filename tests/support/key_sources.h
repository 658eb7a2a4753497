// Purpose: the deterministic key source of the tests (header only, so the
// fuzz targets can use it too): the key of every epoch is known, so a test
// can compute the expected pseudonyms and read the key slots back; it can
// record the epochs it was asked for and fail at one of them. Beside it, what
// the key tests read: a pseudonymizer's key slots, the pseudonym of raw
// address bytes, and the expected SipHash pseudonym and the seed ratchet,
// computed independently of the code under test.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "capture/mac_address.h"
#include "hashing/pseudonymizer.h"
#include "hashing/seed_key_source.h"

namespace footfall::testing {

// Byte i of the test key of epoch number e: e * 37 + i + 1.
inline std::uint8_t TestKeyByte(std::uint64_t epoch, std::size_t i) {
  return static_cast<std::uint8_t>(epoch * 37 + i + 1);
}

// The whole test key of epoch number e (hashing::kKeyBytes bytes).
inline void TestKey(std::uint64_t epoch, std::uint8_t* out) {
  for (std::size_t i = 0; i < hashing::kKeyBytes; ++i) out[i] = TestKeyByte(epoch, i);
}

// Fills TestKey(epoch); appends each epoch asked for to *epochs (if given);
// at `fail_at_epoch` writes one byte and throws std::runtime_error (a source
// failing half-way).
class TestKeySource final : public hashing::KeySource {
 public:
  explicit TestKeySource(std::vector<std::uint64_t>* epochs = nullptr,
                         std::uint64_t fail_at_epoch = ~std::uint64_t{0})
      : epochs_(epochs), fail_at_epoch_(fail_at_epoch) {}
  void Fill(std::uint8_t* out, std::uint64_t epoch) override {
    if (epochs_ != nullptr) epochs_->push_back(epoch);
    if (epoch == fail_at_epoch_) {
      out[0] = 0xee;  // half-written
      throw std::runtime_error("key source failed");
    }
    TestKey(epoch, out);
  }

 private:
  std::vector<std::uint64_t>* epochs_;
  std::uint64_t fail_at_epoch_;
};

// Whether key slot `slot` of p's key area is all zero (wiped, or never filled).
inline bool SlotIsZero(const hashing::Pseudonymizer& p, std::size_t slot) {
  const std::uint8_t* s = p.key_area_for_test() + slot * hashing::kKeyBytes;
  for (std::size_t i = 0; i < hashing::kKeyBytes; ++i) {
    if (s[i] != 0) return false;
  }
  return true;
}

// Whether key slot `slot` of p's key area holds TestKey(epoch).
inline bool SlotHoldsTestKey(const hashing::Pseudonymizer& p, std::size_t slot,
                             std::uint64_t epoch) {
  const std::uint8_t* s = p.key_area_for_test() + slot * hashing::kKeyBytes;
  for (std::size_t i = 0; i < hashing::kKeyBytes; ++i) {
    if (s[i] != TestKeyByte(epoch, i)) return false;
  }
  return true;
}

// What SipHash-2-4 pseudonymization must give the 6 address bytes at `mac`
// under TestKey(epoch), computed with libsodium directly: the 8-byte digest
// read little-endian.
inline std::uint64_t ExpectedSipHash(std::uint64_t epoch, const std::uint8_t* mac) {
  std::uint8_t key[hashing::kKeyBytes];
  TestKey(epoch, key);
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, mac, 6, key);
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | out[i];
  return v;
}

// p's pseudonym of the 6 address bytes at `mac` (a copy: they are not wiped).
inline hashing::Pseudonym Hash(hashing::Pseudonymizer& p, const std::uint8_t* mac) {
  capture::MacAddress address(mac);
  return p.Pseudonymize(address);
}

// A shared-key seed (hashing/seed_key_source.h).
using Seed = std::array<std::uint8_t, hashing::kSeedBytes>;

// The seed ratchet, computed here with libsodium directly (keyed BLAKE2b-256
// of the documented label), independently of the code under test.
inline Seed Ratchet(const Seed& s) {
  static const char kLabel[] = "footfall seed ratchet v1";
  Seed next{};
  if (crypto_generichash(next.data(), next.size(), reinterpret_cast<const unsigned char*>(kLabel),
                         sizeof kLabel - 1, s.data(), s.size()) != 0) {
    throw std::runtime_error("crypto_generichash failed");
  }
  return next;
}

}  // namespace footfall::testing
