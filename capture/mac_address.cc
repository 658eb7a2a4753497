// Purpose: wiping and moving of MacAddress (see mac_address.h).
#include "capture/mac_address.h"

#include <cstring>

namespace footfall::capture {

void SecureWipe(void* p, std::size_t len) noexcept {
  if (p == nullptr || len == 0) return;
  explicit_bzero(p, len);  // glibc: never optimised away
}

MacAddress::MacAddress(const std::uint8_t* src) noexcept : bytes_{} {
  std::memcpy(bytes_.data(), src, kSize);
}

MacAddress::MacAddress(MacAddress&& other) noexcept : bytes_{} {
  std::memcpy(bytes_.data(), other.bytes_.data(), kSize);
  other.Wipe();
}

MacAddress& MacAddress::operator=(MacAddress&& other) noexcept {
  if (this != &other) {
    std::memcpy(bytes_.data(), other.bytes_.data(), kSize);
    other.Wipe();
  }
  return *this;
}

bool MacAddress::empty() const noexcept {
  std::uint8_t acc = 0;
  for (auto b : bytes_) acc |= b;
  return acc == 0;
}

}  // namespace footfall::capture
