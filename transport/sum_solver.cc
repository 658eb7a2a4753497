// Purpose: the exact check of whether hidden cells are fixed by published
// ones under linear sum relations (see sum_solver.h): interval propagation
// and branch and bound over the integers.
#include "transport/sum_solver.h"

#include <algorithm>
#include <set>

namespace footfall::transport {
namespace {

// "Unbounded" for a hidden count: far above any count, far below overflow
// when a relation adds a few of them.
constexpr std::int64_t kInf = std::int64_t{1} << 40;
constexpr int kBudget = 200000;  // search nodes per question; beyond, "unknown"

}  // namespace

int SumSolver::AddCell(std::int64_t value) {
  values_.push_back(value);
  return static_cast<int>(values_.size()) - 1;
}

void SumSolver::AddRelation(std::vector<std::pair<int, int>> terms) {
  relations_.push_back(std::move(terms));
}

std::vector<int> SumSolver::Neighbours(int cell) const {
  std::set<int> out;
  for (const auto& r : relations_) {
    bool in = false;
    for (const auto& [c, coef] : r) in |= c == cell;
    if (!in) continue;
    for (const auto& [c, coef] : r) {
      if (c != cell) out.insert(c);
    }
  }
  return {out.begin(), out.end()};
}

bool SumSolver::Propagate(Box& box) const {
  bool changed = true;
  while (changed) {
    changed = false;
    for (const auto& r : relations_) {
      // sum of the others' coef * x: its bounds.
      std::int64_t min_all = 0, max_all = 0;
      for (const auto& [c, coef] : r) {
        const Interval& iv = box[static_cast<std::size_t>(c)];
        min_all += coef > 0 ? iv.lo : -iv.hi;
        max_all += coef > 0 ? iv.hi : -iv.lo;
      }
      for (const auto& [c, coef] : r) {
        Interval& iv = box[static_cast<std::size_t>(c)];
        const std::int64_t own_min = coef > 0 ? iv.lo : -iv.hi;
        const std::int64_t own_max = coef > 0 ? iv.hi : -iv.lo;
        const std::int64_t rest_min = min_all - own_min, rest_max = max_all - own_max;
        // coef * x = -rest
        std::int64_t lo = coef > 0 ? -rest_max : rest_min;
        std::int64_t hi = coef > 0 ? -rest_min : rest_max;
        if (lo > iv.lo || hi < iv.hi) {
          const std::int64_t new_lo = std::max(lo, iv.lo), new_hi = std::min(hi, iv.hi);
          if (new_lo > new_hi) return false;
          // Keep the relation's sums consistent for the next terms.
          const std::int64_t old_min = own_min, old_max = own_max;
          iv.lo = new_lo;
          iv.hi = new_hi;
          min_all += (coef > 0 ? iv.lo : -iv.hi) - old_min;
          max_all += (coef > 0 ? iv.hi : -iv.lo) - old_max;
          changed = true;
        }
      }
    }
  }
  return true;
}

SumSolver::Answer SumSolver::Feasible(Box box, int* budget) const {
  if (--*budget < 0) return Answer::kUnknown;
  if (!Propagate(box)) return Answer::kNo;
  int pick = -1;
  std::int64_t width = 0;
  for (std::size_t i = 0; i < box.size(); ++i) {
    const std::int64_t w = box[i].hi - box[i].lo;
    if (w > 0 && (pick < 0 || w < width)) {
      pick = static_cast<int>(i);
      width = w;
    }
  }
  if (pick < 0) return Answer::kYes;  // every cell fixed and every relation holds
  const Interval iv = box[static_cast<std::size_t>(pick)];
  const std::int64_t mid = iv.lo + (iv.hi - iv.lo) / 2;
  bool unknown = false;
  for (const Interval half : {Interval{iv.lo, mid}, Interval{mid + 1, iv.hi}}) {
    box[static_cast<std::size_t>(pick)] = half;
    const Answer a = Feasible(box, budget);
    if (a == Answer::kYes) return a;
    unknown |= a == Answer::kUnknown;
  }
  return unknown ? Answer::kUnknown : Answer::kNo;
}

SumSolver::Answer SumSolver::FeasibleWith(const Box& box, int cell, std::int64_t lo,
                                          std::int64_t hi) const {
  Box b = box;
  Interval& iv = b[static_cast<std::size_t>(cell)];
  iv.lo = std::max(iv.lo, lo);
  iv.hi = std::min(iv.hi, hi);
  if (iv.lo > iv.hi) return Answer::kNo;
  int budget = kBudget;
  return Feasible(b, &budget);
}

std::vector<int> SumSolver::Fixed(const std::vector<bool>& hidden, std::int64_t k) const {
  std::vector<int> out;
  if (k < 2) return out;  // nothing is below 1
  Box a(values_.size()), b(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) {
    a[i] = hidden[i] ? Interval{0, kInf} : Interval{values_[i], values_[i]};
    b[i] = hidden[i] ? Interval{0, k - 1} : Interval{values_[i], values_[i]};
  }
  int budget = kBudget;
  const bool b_holds = Feasible(b, &budget) != Answer::kNo;
  for (int cell = 0; cell < size(); ++cell) {
    if (!hidden[static_cast<std::size_t>(cell)]) continue;
    // Model A: can the cell be 0, or k or more? If neither, it is 1..k-1.
    const bool a_fixed = FeasibleWith(a, cell, 0, 0) != Answer::kYes &&
                         FeasibleWith(a, cell, k, kInf) != Answer::kYes;
    bool b_fixed = false;
    if (!a_fixed && b_holds && FeasibleWith(b, cell, 0, 0) != Answer::kYes) {
      // Its least value in model B, then whether any other is possible.
      std::int64_t lo = 1, hi = k - 1;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (FeasibleWith(b, cell, 1, mid) != Answer::kNo) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      b_fixed = FeasibleWith(b, cell, lo + 1, k - 1) != Answer::kYes;
    }
    if (a_fixed || b_fixed) out.push_back(cell);
  }
  return out;
}

}  // namespace footfall::transport
