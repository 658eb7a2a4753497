// Purpose: the one home of secret memory: an RAII area from sodium_malloc
// (locked in RAM, never swapped; MADV_DONTDUMP, so not in core dumps; guard
// pages around it), zeroed at birth, wiped and freed at death, and read-only
// between writes (sodium_mprotect). The pseudonym keys (pseudonymizer.cc), the
// site seed and its file text (seed_key_source.cc) and the anonymizer's key
// (tools/anonymize) live in one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace footfall::hashing {

class SecureMemory final {
 public:
  // Throws std::runtime_error if libsodium cannot start or the memory cannot
  // be allocated (start-up errors). Starts zeroed and writable.
  explicit SecureMemory(std::size_t size);
  ~SecureMemory();  // wipes, then frees
  SecureMemory(const SecureMemory&) = delete;
  SecureMemory& operator=(const SecureMemory&) = delete;

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  char* chars() { return reinterpret_cast<char*>(data_); }
  const char* chars() const { return reinterpret_cast<const char*>(data_); }
  std::size_t size() const { return size_; }

  // Zeroes [offset, offset + n) (the memory must be writable).
  void Wipe(std::size_t offset, std::size_t n);
  // Read-only until the next MakeWritable(); both throw std::runtime_error if
  // the protection cannot be changed.
  void MakeReadOnly();
  void MakeWritable();

  // Writable for the guard's scope, read-only again after it (also when an
  // exception leaves the scope).
  class WriteScope final {
   public:
    explicit WriteScope(SecureMemory& memory) : memory_(memory) { memory_.MakeWritable(); }
    ~WriteScope();
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;

   private:
    SecureMemory& memory_;
  };

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_;
};

}  // namespace footfall::hashing
