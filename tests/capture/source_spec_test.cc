// Purpose: tests of ParseSourceSpec and CanJoin, the one home of the capture
// source rules (the config loader and OpenSources both use them).
#include "capture/source_spec.h"

#include <gtest/gtest.h>

namespace footfall::capture {
namespace {

TEST(SourceSpecTest, FileAndLive) {
  Result<SourceSpec> f = ParseSourceSpec("file:caps/a.pcap");
  ASSERT_TRUE(f) << f.error();
  EXPECT_EQ(f->kind, SourceSpec::Kind::kFile);
  EXPECT_EQ(f->target, "caps/a.pcap");
  EXPECT_EQ(f->ToString(), "file:caps/a.pcap");
  Result<SourceSpec> l = ParseSourceSpec("pcap:mon0");
  ASSERT_TRUE(l) << l.error();
  EXPECT_EQ(l->kind, SourceSpec::Kind::kLive);
  EXPECT_EQ(l->target, "mon0");
  EXPECT_EQ(l->ToString(), "pcap:mon0");
  EXPECT_TRUE(ParseSourceSpec("pcap:wlan0mon-12345"));  // 15 characters
}

TEST(SourceSpecTest, BadSpecsSayWhy) {
  for (const char* bad : {"eth0", "file:", "pcap:", "tcp:x", ""}) {
    const Result<SourceSpec> r = ParseSourceSpec(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().rfind("must be \"file:PATH\"", 0), 0u) << r.error();
  }
  for (const char* bad : {"pcap:this-name-is-too-long", "pcap:a/b", "pcap:a b", "pcap:a:1"}) {
    const Result<SourceSpec> r = ParseSourceSpec(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("is not a network interface name"), std::string::npos) << r.error();
  }
}

TEST(SourceSpecTest, ListRules) {
  const SourceSpec a{SourceSpec::Kind::kLive, "a"};
  const SourceSpec b{SourceSpec::Kind::kLive, "b"};
  const SourceSpec file{SourceSpec::Kind::kFile, "/x.pcap"};
  EXPECT_TRUE(CanJoin({}, a, 2));
  EXPECT_TRUE(CanJoin({a}, b, 2));
  EXPECT_EQ(CanJoin({a}, a, 2).error(), "\"pcap:a\" is listed twice");
  EXPECT_TRUE(CanJoin({}, file, 1));  // a file alone
  EXPECT_EQ(CanJoin({a}, file, 2).error(),
            "a file (\"file:/x.pcap\") is replayed on its own; only live sources "
            "(\"pcap:IFACE\") can be combined");
}

}  // namespace
}  // namespace footfall::capture
