// Purpose: tests of SecureMemory (hashing/secure_memory.h): zeroed at birth,
// locked and excluded from core dumps (its mapping's VmFlags), Wipe() zeroes
// exactly its range, read-only memory kills a writer (SIGSEGV, in a death-test
// child) and WriteScope makes it writable for its scope only, also when an
// exception leaves the scope.
#include "hashing/secure_memory.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace footfall::hashing {
namespace {

using footfall::testing::VmFlagsOf;
using footfall::testing::WriteWithoutCore;

TEST(SecureMemoryTest, ZeroedLockedAndNotDumped) {
  SecureMemory m(100);
  ASSERT_NE(m.data(), nullptr);
  EXPECT_EQ(m.size(), 100u);
  for (std::size_t i = 0; i < m.size(); ++i) ASSERT_EQ(m.data()[i], 0) << i;
  for (const std::uint8_t* at : {m.data(), m.data() + m.size() - 1}) {
    const std::string flags = VmFlagsOf(at);
    ASSERT_FALSE(flags.empty()) << "the memory is not in /proc/self/smaps";
    EXPECT_NE(flags.find(" dd "), std::string::npos) << "not MADV_DONTDUMP:" << flags;
    EXPECT_NE(flags.find(" lo "), std::string::npos) << "not mlocked:" << flags;
  }
}

TEST(SecureMemoryTest, WipeZeroesExactlyItsRange) {
  SecureMemory m(64);
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<std::uint8_t>(i + 1);
  m.Wipe(16, 32);
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (i >= 16 && i < 48) {
      EXPECT_EQ(m.data()[i], 0) << i;
    } else {
      EXPECT_EQ(m.data()[i], static_cast<std::uint8_t>(i + 1)) << i;
    }
  }
  EXPECT_EQ(m.chars(), reinterpret_cast<char*>(m.data()));
}

TEST(SecureMemoryDeathTest, ReadOnlyUntilAWriteScope) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  SecureMemory m(32);
  m.data()[3] = 7;
  m.MakeReadOnly();
  EXPECT_EQ(m.data()[3], 7);  // still readable
  EXPECT_EXIT(WriteWithoutCore(m.data()), ::testing::KilledBySignal(SIGSEGV), "");
  {
    const SecureMemory::WriteScope writable(m);
    m.data()[0] = 1;
    m.Wipe(3, 1);
  }
  EXPECT_EQ(m.data()[0], 1);
  EXPECT_EQ(m.data()[3], 0);
  EXPECT_EXIT(WriteWithoutCore(m.data() + 31), ::testing::KilledBySignal(SIGSEGV), "");
  // An exception leaving the scope leaves the memory read-only too.
  EXPECT_THROW(
      {
        const SecureMemory::WriteScope writable(m);
        m.data()[1] = 2;
        throw std::runtime_error("a failed key fill");
      },
      std::runtime_error);
  EXPECT_EQ(m.data()[1], 2);
  EXPECT_EXIT(WriteWithoutCore(m.data() + 1), ::testing::KilledBySignal(SIGSEGV), "");
  m.MakeWritable();
  m.data()[2] = 9;  // no death: writable again
  EXPECT_EQ(m.data()[2], 9);
}

}  // namespace
}  // namespace footfall::hashing
