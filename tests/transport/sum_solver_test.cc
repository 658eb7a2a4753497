// Purpose: tests of the generic solver behind the complementary suppression
// (transport/sum_solver.h): a hidden cell is fixed when the published cells
// and the sum relations bound it into 1..k-1 (model A: hidden cells >= 0) or
// leave it one value in 1..k-1 with every hidden cell taken as 0..k-1
// (model B); on single relations, on chains of relations no case-by-case
// rule knows, and where nothing can be worked out.
#include "transport/sum_solver.h"

#include <gtest/gtest.h>

namespace footfall::transport {
namespace {

// total = a + b
struct Sum {
  SumSolver s;
  int total, a, b;
  Sum(std::int64_t t, std::int64_t x, std::int64_t y)
      : total(s.AddCell(t)), a(s.AddCell(x)), b(s.AddCell(y)) {
    s.AddRelation({{total, 1}, {a, -1}, {b, -1}});
  }
};

TEST(SumSolverTest, SubtractionFixesALoneHiddenPart) {
  Sum m(9, 1, 8);
  EXPECT_EQ(m.s.Fixed({false, true, false}, 3), std::vector<int>{m.a});
  // Both parts hidden: 9 = 0 + 9 ... 9 + 0, nothing is fixed.
  EXPECT_TRUE(m.s.Fixed({false, true, true}, 3).empty());
  // A hidden total of published parts is fixed too if small.
  Sum n(2, 1, 1);
  EXPECT_EQ(n.s.Fixed({true, false, false}, 3), std::vector<int>{n.total});
  // A hidden 0 worked out is not a small count.
  Sum z(8, 0, 8);
  EXPECT_TRUE(z.s.Fixed({false, true, false}, 3).empty());
  // Nor is a large one (a complementary cell): 9 - 1 = 8.
  EXPECT_TRUE(m.s.Fixed({false, false, true}, 3).empty());
}

TEST(SumSolverTest, TakingEveryNullAsBelowKForcesSomeSums) {
  // 4 = ? + ? with each 0..2: 2 + 2.
  Sum m(4, 2, 2);
  EXPECT_EQ(m.s.Fixed({false, true, true}, 3), (std::vector<int>{m.a, m.b}));
  // 3 = 1 + 2 or 2 + 1: neither is fixed.
  Sum n(3, 1, 2);
  EXPECT_TRUE(n.s.Fixed({false, true, true}, 3).empty());
  // With k = 5, 4 = 0 + 4 ... 4 + 0: free.
  EXPECT_TRUE(m.s.Fixed({false, true, true}, 5).empty());
  // Everything hidden: nothing published to solve from.
  EXPECT_TRUE(m.s.Fixed({true, true, true}, 3).empty());
  // k below 2: nothing is ever small.
  EXPECT_TRUE(Sum(9, 1, 8).s.Fixed({false, true, false}, 1).empty());
}

TEST(SumSolverTest, ChainsOfRelationsBoundACellIntoOneToKMinusOne) {
  // a = b + c (a = 3), c = d + e (d = 1), g = c + f (g = 2); hidden b, c, e, f.
  // So 1 <= c <= 2, hence 1 <= b <= 2: both are certainly small counts,
  // though no single relation fixes them and neither value is unique.
  SumSolver s;
  const int a = s.AddCell(3), b = s.AddCell(1), c = s.AddCell(2), d = s.AddCell(1),
            e = s.AddCell(1), g = s.AddCell(2), f = s.AddCell(0);
  s.AddRelation({{a, 1}, {b, -1}, {c, -1}});
  s.AddRelation({{c, 1}, {d, -1}, {e, -1}});
  s.AddRelation({{g, 1}, {c, -1}, {f, -1}});
  std::vector<bool> hidden(7, false);
  for (int x : {b, c, e, f}) hidden[static_cast<std::size_t>(x)] = true;
  EXPECT_EQ(s.Fixed(hidden, 3), (std::vector<int>{b, c}));
  // Hiding g as well frees c from above (c could be 3), and b with it.
  hidden[static_cast<std::size_t>(g)] = true;
  EXPECT_TRUE(s.Fixed(hidden, 3).empty());
  EXPECT_EQ(s.Neighbours(c), (std::vector<int>{a, b, d, e, g, f}));
  EXPECT_EQ(s.Neighbours(f), (std::vector<int>{c, g}));
}

TEST(SumSolverTest, AnInconsistentBeliefFixesNothing) {
  // 12 = 2 + 10 with both hidden: "both are 0..2" cannot hold, so the belief
  // gives nothing, and a hidden cell >= 0 can be 0..12.
  Sum m(12, 2, 10);
  EXPECT_TRUE(m.s.Fixed({false, true, true}, 3).empty());
}

}  // namespace
}  // namespace footfall::transport
