// Purpose: the one type that ever holds a raw transmitter address. It cannot be
// copied, it is wiped when moved from or destroyed, and it has no way to be
// printed: the only thing the rest of the program can do with it is hand it to
// the pseudonymizer (hashing/), which wipes it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace footfall::capture {

// Overwrites `len` bytes at `p` with zeros in a way the compiler may not elide.
void SecureWipe(void* p, std::size_t len) noexcept;

class MacAddress final {
 public:
  static constexpr std::size_t kSize = 6;

  MacAddress() noexcept : bytes_{} {}
  explicit MacAddress(const std::uint8_t* src) noexcept;
  ~MacAddress() { Wipe(); }

  MacAddress(const MacAddress&) = delete;
  MacAddress& operator=(const MacAddress&) = delete;
  MacAddress(MacAddress&& other) noexcept;
  MacAddress& operator=(MacAddress&& other) noexcept;

  // Bit 0x02 of the first octet: locally administered (randomized by the phone).
  bool locally_administered() const noexcept { return (bytes_[0] & 0x02) != 0; }
  // Bit 0x01 of the first octet: group address (never a valid transmitter).
  bool group() const noexcept { return (bytes_[0] & 0x01) != 0; }
  bool empty() const noexcept;

  const std::uint8_t* data() const noexcept { return bytes_.data(); }
  void Wipe() noexcept { SecureWipe(bytes_.data(), bytes_.size()); }

 private:
  std::array<std::uint8_t, kSize> bytes_;
};

}  // namespace footfall::capture
