// Purpose: tests of Result/Status (base/result.h) and SplitHostPort
// (base/host_port.h).
#include "base/result.h"

#include <gtest/gtest.h>

#include <memory>

#include "base/host_port.h"

namespace footfall {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Fail(std::to_string(n) + " is odd");
  return n / 2;
}

TEST(ResultTest, HoldsAValueOrWhyNot) {
  const Result<int> ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(*ok, 4);
  const Result<int> bad = Half(7);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "7 is odd");
  try {
    (void)bad.value();
    FAIL() << "value() of a failed result must throw";
  } catch (const BadResultAccess& e) {
    EXPECT_STREQ(e.what(), "7 is odd");
  }
  // Move-only values move out.
  Result<std::unique_ptr<int>> p = std::make_unique<int>(3);
  std::unique_ptr<int> taken = std::move(p).value();
  EXPECT_EQ(*taken, 3);
}

TEST(ResultTest, StatusIsOkOrAnError) {
  const Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.error(), "");
  const Status bad = Fail("disk full");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error(), "disk full");
}

TEST(HostPortTest, HostsPortsAndBrackets) {
  Result<HostPort> a = SplitHostPort("broker.example:8883", "HOST:PORT");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->host, "broker.example");
  EXPECT_EQ(a->port, 8883);
  EXPECT_FALSE(a->bracketed);
  a = SplitHostPort("[::1]:1", "HOST:PORT");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 1);
  EXPECT_TRUE(a->bracketed);
  a = SplitHostPort("h:65535", "HOST:PORT");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 65535);
  EXPECT_EQ(SplitHostPort("h", "HOST:PORT").error(), "must be HOST:PORT (port missing)");
  EXPECT_EQ(SplitHostPort(":80", "HOST:PORT").error(), "must be HOST:PORT (host missing)");
  EXPECT_EQ(SplitHostPort("[::1:80", "HOST:PORT").error(), "unterminated [IPv6 address]");
  EXPECT_EQ(SplitHostPort("[::1]80", "HOST:PORT").error(), "must be HOST:PORT (port missing)");
  for (const char* bad : {"h:0", "h:65536", "h:", "h:12x", "h:123456", "h:-1"}) {
    const Result<HostPort> r = SplitHostPort(bad, "HOST:PORT");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("must be a number from 1 to 65535"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace footfall
