// Purpose: the deterministic key source of the tests (header only, so the
// fuzz targets can use it too): the key of every epoch is known, so a test
// can compute the expected pseudonyms and read the key slots back; it can
// record the epochs it was asked for and fail at one of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "hashing/pseudonymizer.h"

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

}  // namespace footfall::testing
