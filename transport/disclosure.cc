// Purpose: small-count suppression of a window's counts of devices and people
// (see disclosure.h), with the complementary suppression that keeps a hidden
// count from being worked out from the published ones (decided by the sum
// solver), the rules for the figures beside the counts, and the stepwise
// release of the key epoch's totals.
#include "transport/disclosure.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "transport/counts_fields.h"
#include "transport/sum_solver.h"

namespace footfall::transport {

const std::vector<std::string>& SuppressibleFields() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const CountsField& field : kCountsFields) {
      if (field.kind != FieldKind::kAlways) out.push_back(field.name);
    }
    return out;
  }();
  return names;
}

const std::vector<SumRelation> kSumRelations = {
    {"devices.unique", {"devices.global_mac", "devices.randomized_mac"}},
    {"departures",
     {"passersby", "engagement.under_5m", "engagement.5_to_20m", "engagement.20_to_60m",
      "engagement.1_to_6h", "engagement.over_6h", "stationary_departures"}},
};

std::uint64_t StationaryDepartures(const analytics::PeopleReport& p) {
  const std::uint64_t others = p.passersby + p.visitor_visits;
  return p.departures > others ? p.departures - others : 0;
}

namespace {

constexpr std::uint64_t kMinPercentileVisits = 10;

// The counts of a message by name, in message order (the kCount rows of
// kCountsFields). A new sum relation between counts is a row of
// kSumRelations; the solver does the rest.
std::vector<std::pair<std::string, std::uint64_t>> Counts(const analytics::WindowReport& r) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const CountsField& field : kCountsFields) {
    if (field.kind == FieldKind::kCount) out.emplace_back(field.name, CountOf(field, r));
  }
  return out;
}

// The figures beside the counts that go with the hidden counts `hidden`.
std::set<std::string> WithFiguresBeside(std::set<std::string> hidden,
                                        const analytics::WindowReport& report,
                                        std::uint64_t min_count) {
  const auto is = [&](const char* name) { return hidden.count(name) != 0; };
  // The signal of fewer than k phones (by address or by estimated device)
  // tells where those people stood.
  if (is("devices.unique") || is("devices.estimated")) {
    hidden.insert({"rssi_dbm.min", "rssi_dbm.median", "rssi_dbm.max"});
  }
  const analytics::PeopleReport& p = report.people;
  bool bucket_hidden = false;
  for (const char* b : {"engagement.under_5m", "engagement.5_to_20m", "engagement.20_to_60m",
                        "engagement.1_to_6h", "engagement.over_6h"}) {
    bucket_hidden |= is(b);
  }
  // capture_rate = visitor visits / (visitor visits + passers-by): computable
  // from the published counts when they are all published, else it would
  // give a hidden one back.
  if (p.capture_rate && (is("passersby") || bucket_hidden)) hidden.insert("capture_rate");
  // A nearest-rank percentile is one visit's duration: only of enough
  // visits, and not beside a hidden bucket whose size it would bound.
  if ((p.dwell_p50_s || p.dwell_p90_s) &&
      (p.visitor_visits < std::max<std::uint64_t>(min_count, kMinPercentileVisits) ||
       bucket_hidden)) {
    hidden.insert({"dwell_s.p50", "dwell_s.p90"});
  }
  return hidden;
}

}  // namespace

std::vector<std::string> SuppressedFields(const analytics::WindowReport& report,
                                          std::uint64_t min_count) {
  std::vector<std::string> out;
  if (min_count <= 1) return out;  // no count is below 1
  const std::int64_t k = static_cast<std::int64_t>(min_count);

  // Every count is a cell of the solver, the relations tie them.
  SumSolver solver;
  std::map<std::string, int> cell;
  std::vector<std::string> names;
  for (const auto& [name, value] : Counts(report)) {
    cell[name] = solver.AddCell(static_cast<std::int64_t>(value));
    names.push_back(name);
  }
  std::set<int> totals;
  for (const SumRelation& r : kSumRelations) {
    std::vector<std::pair<int, int>> terms{{cell.at(r.total), 1}};
    totals.insert(cell.at(r.total));
    for (const std::string& part : r.parts) terms.push_back({cell.at(part), -1});
    solver.AddRelation(std::move(terms));
  }
  const auto fields = [&](const std::vector<bool>& hidden) {
    std::set<std::string> counts;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (hidden[i]) counts.insert(names[i]);
    }
    return WithFiguresBeside(std::move(counts), report, min_count);
  };
  // Primary suppression: every count from 1 to k-1.
  std::vector<bool> hidden(names.size(), false);
  for (int c = 0; c < solver.size(); ++c) {
    hidden[static_cast<std::size_t>(c)] = solver.value(c) > 0 && solver.value(c) < k;
  }
  // Complementary suppression: while a hidden count is fixed, hide one more
  // published count beside it (in one of its relations): the one that leaves
  // the fewest fixed, then hides the fewest fields in all (the signal, the
  // rate and the dwell follow some counts), then a relation's total before a
  // part, then the smallest non-zero one, then the first.
  for (std::size_t round = 0; round < names.size(); ++round) {
    const std::vector<int> fixed = solver.Fixed(hidden, k);
    if (fixed.empty()) break;
    std::vector<int> candidates;
    for (int n : solver.Neighbours(fixed.front())) {
      if (!hidden[static_cast<std::size_t>(n)]) candidates.push_back(n);
    }
    if (candidates.empty()) {
      // Every neighbour is hidden: any published count of a relation.
      for (int c = 0; c < solver.size(); ++c) {
        if (!hidden[static_cast<std::size_t>(c)] && !solver.Neighbours(c).empty()) {
          candidates.push_back(c);
        }
      }
    }
    if (candidates.empty()) break;  // cannot happen: a fixed cell needs a published one
    using Key = std::tuple<std::size_t, std::size_t, bool, bool, std::int64_t, int>;
    std::optional<Key> best;
    for (int c : candidates) {
      std::vector<bool> trial = hidden;
      trial[static_cast<std::size_t>(c)] = true;
      const Key key{solver.Fixed(trial, k).size(), fields(trial).size(), totals.count(c) == 0,
                    solver.value(c) == 0,          solver.value(c),      c};
      if (!best || key < *best) best = key;
    }
    hidden[static_cast<std::size_t>(std::get<5>(*best))] = true;
  }
  const std::set<std::string> suppressed = fields(hidden);
  for (const std::string& name : SuppressibleFields()) {
    if (suppressed.count(name) != 0) out.push_back(name);
  }
  return out;
}

void EpochTotals::Release(analytics::PeopleReport& p) {
  if (k_ <= 1) return;
  if (!started_ || p.epoch_start != epoch_) {
    started_ = true;
    epoch_ = p.epoch_start;
    devices_ = 0;
    visitors_ = 0;
  }
  const auto step = [this](std::uint64_t total, std::uint64_t& released) {
    if (released == 0 && total < k_) return total;  // 0, or suppressed as 1..k-1
    if (total >= released + k_) released = total;
    return released;
  };
  p.epoch_devices = step(p.epoch_devices, devices_);
  p.epoch_visitors = step(p.epoch_visitors, visitors_);
}

}  // namespace footfall::transport
