// Purpose: tests of FlatMap, the open-addressing table of the analytics:
// insert and find through many growths (key 0 included), values kept, bulk
// removal by Retain, and clearing.
#include "analytics/flat_map.h"

#include <gtest/gtest.h>

#include <unordered_map>

#include "analytics/distinct_counter.h"

namespace footfall::analytics {
namespace {

TEST(FlatMapTest, InsertFindAndGrowAgainstAReference) {
  FlatMap<std::uint32_t> m;
  std::unordered_map<std::uint64_t, std::uint32_t> ref;
  for (std::uint32_t i = 0; i < 50000; ++i) {
    // Uniform keys, sequential keys and 0 alike.
    const std::uint64_t key = (i % 3 == 0) ? Mix64(i) : i;
    m.Insert(key) = i;
    ref[key] = i;
  }
  EXPECT_EQ(m.size(), ref.size());
  for (const auto& [key, value] : ref) {
    const std::uint32_t* v = m.Find(key);
    ASSERT_NE(v, nullptr) << key;
    EXPECT_EQ(*v, value);
  }
  EXPECT_EQ(m.Find(Mix64(1)), nullptr);  // i = 1 was inserted as the key 1, not Mix64(1)
  EXPECT_EQ(m.Insert(0), 0u);            // present: the value stays
  EXPECT_EQ(m.size(), ref.size());
}

TEST(FlatMapTest, RetainKeepsOnlyWhatIsAskedAndShrinks) {
  FlatMap<std::uint64_t> m;
  for (std::uint64_t i = 1; i <= 10000; ++i) m.Insert(Mix64(i)) = i;
  m.Retain([](std::uint64_t, std::uint64_t v) { return v % 100 == 0; });
  EXPECT_EQ(m.size(), 100u);
  for (std::uint64_t i = 1; i <= 10000; ++i) {
    const std::uint64_t* v = m.Find(Mix64(i));
    if (i % 100 == 0) {
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(*v, i);
    } else {
      EXPECT_EQ(v, nullptr);
    }
  }
  m.Insert(Mix64(3)) = 3;  // usable after a rebuild
  EXPECT_EQ(*m.Find(Mix64(3)), 3u);
  m.Clear();
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.Find(Mix64(100)), nullptr);
}

}  // namespace
}  // namespace footfall::analytics
