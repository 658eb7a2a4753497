// Purpose: decides whether the hidden cells of a published message can be
// worked out from the published ones, for the complementary suppression of
// transport/disclosure. A message is a set of non-negative integer cells
// tied by linear sum relations (sum of coefficient x cell = 0, coefficients
// +1 or -1: e.g. unique - global - randomized = 0). An attacker knows the
// published cells, the relations, and that a hidden cell is >= 0 (model A,
// certain knowledge) — or believes, as a null is documented to mean, that
// every hidden cell is 0..k-1 (model B). A hidden cell is *fixed* when
//  - in model A it is bounded into 1..k-1 (in particular uniquely
//    determined as such a value), or
//  - model B is satisfiable and leaves the cell one single value in 1..k-1.
// The check is exact: interval propagation over the relations to a fixpoint,
// completed by a branch-and-bound search over the integers.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace footfall::transport {

class SumSolver final {
 public:
  // A cell with its true value; returns its index.
  int AddCell(std::int64_t value);
  // sum over terms of coefficient * cell = 0; coefficients +1 or -1.
  void AddRelation(std::vector<std::pair<int, int>> terms);

  // The hidden cells that are fixed (see above), in index order. `hidden`
  // has one entry per cell.
  std::vector<int> Fixed(const std::vector<bool>& hidden, std::int64_t k) const;

  // Cells that share a relation with `cell` (itself excluded).
  std::vector<int> Neighbours(int cell) const;
  std::int64_t value(int cell) const { return values_[static_cast<std::size_t>(cell)]; }
  int size() const { return static_cast<int>(values_.size()); }

 private:
  struct Interval {
    std::int64_t lo, hi;
  };
  using Box = std::vector<Interval>;
  enum class Answer { kNo, kYes, kUnknown };

  bool Propagate(Box& box) const;
  Answer Feasible(Box box, int* budget) const;
  // Feasible with `cell` restricted to [lo, hi].
  Answer FeasibleWith(const Box& box, int cell, std::int64_t lo, std::int64_t hi) const;

  std::vector<std::int64_t> values_;
  std::vector<std::vector<std::pair<int, int>>> relations_;
};

}  // namespace footfall::transport
