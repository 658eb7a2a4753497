// Purpose: SecureMemory over libsodium's guarded allocations (see
// secure_memory.h).
#include "hashing/secure_memory.h"

#include <sodium.h>

#include <stdexcept>

namespace footfall::hashing {

SecureMemory::SecureMemory(std::size_t size) : size_(size) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) throw std::runtime_error("cannot allocate locked memory");
  sodium_memzero(data_, size_);
}

SecureMemory::~SecureMemory() {
  sodium_mprotect_readwrite(data_);
  sodium_memzero(data_, size_);
  sodium_free(data_);  // wipes again and unlocks
}

void SecureMemory::Wipe(std::size_t offset, std::size_t n) { sodium_memzero(data_ + offset, n); }

void SecureMemory::MakeReadOnly() {
  if (sodium_mprotect_readonly(data_) != 0) {
    throw std::runtime_error("cannot make locked memory read-only");
  }
}

void SecureMemory::MakeWritable() {
  if (sodium_mprotect_readwrite(data_) != 0) {
    throw std::runtime_error("cannot make locked memory writable");
  }
}

SecureMemory::WriteScope::~WriteScope() { sodium_mprotect_readonly(memory_.data()); }

}  // namespace footfall::hashing
