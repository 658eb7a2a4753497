// Purpose: the attacker on published figures (see attacker.h): direct small
// counts, differencing within a series, linear elimination and enumeration
// over the sum relations, ratios and percentiles; and the readers of counts
// messages, text lines and metrics into figures.
#include "support/attacker.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace footfall::testing {
namespace {

bool Small(std::int64_t v, std::int64_t k) { return v >= 1 && v < k; }

bool Known(const Figures& f, const std::string& name) {
  auto it = f.values.find(name);
  return it != f.values.end() && it->second.has_value();
}
std::int64_t Value(const Figures& f, const std::string& name) { return *f.values.at(name); }
bool Hidden(const Figures& f, const std::string& name) {  // published as null
  auto it = f.values.find(name);
  return it != f.values.end() && !it->second.has_value();
}

// The cells of a relation with their coefficient in total - sum(parts) = 0.
std::vector<std::pair<std::string, int>> Terms(const SumRelation& r) {
  std::vector<std::pair<std::string, int>> t{{r.total, 1}};
  for (const auto& p : r.parts) t.push_back({p, -1});
  return t;
}

}  // namespace

std::string ToString(const Finding& f) {
  return f.attack + " at " + f.where + ": " + f.figure + " = " + std::to_string(f.value) + " (" +
         f.how + ")";
}

std::vector<Finding> Attacker::Attack(const std::vector<Figures>& sequence) const {
  std::vector<Finding> out = Differences(sequence);
  for (const Figures& f : sequence) {
    for (auto part : {Direct(f), Solve(f), Ratios(f), Percentiles(f)}) {
      out.insert(out.end(), part.begin(), part.end());
    }
  }
  return out;
}

std::vector<Finding> Attacker::Direct(const Figures& f) const {
  std::vector<Finding> out;
  for (const auto& [name, v] : f.values) {
    if (v && o_.people.count(name) != 0 && Small(*v, o_.min_count)) {
      out.push_back({"direct", f.where, name, *v, "published"});
    }
  }
  return out;
}

std::vector<Finding> Attacker::Differences(const std::vector<Figures>& sequence) const {
  std::vector<Finding> out;
  // Per (series, figure): the values published so far.
  std::map<std::pair<std::string, std::string>, std::set<std::int64_t>> seen;
  for (const Figures& f : sequence) {
    for (const std::string& name : o_.cumulative) {
      if (!Known(f, name)) continue;
      const std::int64_t v = Value(f, name);
      std::set<std::int64_t>& earlier = seen[{f.series, name}];
      // Any earlier value within k-1 of this one, other than itself.
      for (auto it = earlier.lower_bound(v - o_.min_count + 1);
           it != earlier.end() && *it < v + o_.min_count; ++it) {
        if (*it != v) {
          out.push_back({"differencing", f.where, name, std::llabs(v - *it),
                         "from " + std::to_string(*it) + " to " + std::to_string(v) +
                             " within series " + f.series});
          break;
        }
      }
      earlier.insert(v);
    }
  }
  return out;
}

std::vector<Finding> Attacker::Solve(const Figures& f) const {
  std::vector<Finding> out;
  const std::int64_t k = o_.min_count;
  // Unknowns: hidden or absent cells of relations that have at least one
  // published cell or an unknown (a relation of published cells only tells
  // nothing new).
  std::vector<std::string> unknowns;
  std::map<std::string, int> column;
  std::vector<const SumRelation*> rels;
  for (const SumRelation& r : o_.relations) {
    bool any_known = false, any_unknown = false;
    for (const auto& [cell, c] : Terms(r)) {
      (Known(f, cell) ? any_known : any_unknown) = true;
    }
    // A relation none of whose cells is in the message is not about it.
    bool any_present = false;
    for (const auto& [cell, c] : Terms(r)) any_present |= f.values.count(cell) != 0;
    if (!any_unknown || !any_present) continue;
    (void)any_known;
    rels.push_back(&r);
    for (const auto& [cell, c] : Terms(r)) {
      if (!Known(f, cell) && column.count(cell) == 0) {
        column[cell] = static_cast<int>(unknowns.size());
        unknowns.push_back(cell);
      }
    }
  }
  if (unknowns.empty()) return out;
  std::set<std::string> found;

  // 1. Linear elimination (subtraction, generalised): reduced row echelon
  // form of the relations over the unknowns.
  const std::size_t n = unknowns.size();
  std::vector<std::vector<double>> m;
  for (const SumRelation* r : rels) {
    std::vector<double> row(n + 1, 0.0);
    for (const auto& [cell, c] : Terms(*r)) {
      if (Known(f, cell)) {
        row[n] -= c * static_cast<double>(Value(f, cell));
      } else {
        row[column[cell]] += c;
      }
    }
    m.push_back(row);
  }
  std::size_t rank = 0;
  std::vector<int> pivot_of_row;
  for (std::size_t col = 0; col < n && rank < m.size(); ++col) {
    std::size_t best = rank;
    for (std::size_t i = rank; i < m.size(); ++i) {
      if (std::fabs(m[i][col]) > std::fabs(m[best][col])) best = i;
    }
    if (std::fabs(m[best][col]) < 1e-9) continue;
    std::swap(m[best], m[rank]);
    const double p = m[rank][col];
    for (double& x : m[rank]) x /= p;
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (i == rank || std::fabs(m[i][col]) < 1e-12) continue;
      const double factor = m[i][col];
      for (std::size_t j = 0; j <= n; ++j) m[i][j] -= factor * m[rank][j];
    }
    pivot_of_row.push_back(static_cast<int>(col));
    ++rank;
  }
  for (std::size_t i = 0; i < rank; ++i) {
    bool alone = true;
    for (std::size_t j = 0; j < n; ++j) {
      if (static_cast<int>(j) != pivot_of_row[i] && std::fabs(m[i][j]) > 1e-9) alone = false;
    }
    if (!alone) continue;
    const std::int64_t v = std::llround(m[i][n]);
    const std::string& cell = unknowns[pivot_of_row[i]];
    if (Small(v, k)) {
      out.push_back({"solving", f.where, cell, v, "determined by the sum relations"});
      found.insert(cell);
    }
  }

  // 2. Enumeration: every hidden (null) cell over 0..k-1, the absent cells
  // computed from the relations; a hidden or absent cell with one single
  // value in 1..k-1 over all solutions is found.
  std::vector<std::string> nulls;
  for (const std::string& cell : unknowns) {
    if (Hidden(f, cell)) nulls.push_back(cell);
  }
  if (nulls.size() > 12) return out;  // 3^12 = 531441: enough for footfall's messages
  std::map<std::string, std::set<std::int64_t>> values_of;
  std::map<std::string, std::int64_t> assigned;
  bool any_solution = false;
  std::function<void(std::size_t)> enumerate = [&](std::size_t i) {
    if (i < nulls.size()) {
      for (std::int64_t v = 0; v < k; ++v) {
        assigned[nulls[i]] = v;
        enumerate(i + 1);
      }
      assigned.erase(nulls[i]);
      return;
    }
    // Absent cells: a relation with one of them left gives its value.
    std::map<std::string, std::int64_t> derived;
    bool changed = true, ok = true;
    auto value_of = [&](const std::string& cell) -> std::optional<std::int64_t> {
      if (Known(f, cell)) return Value(f, cell);
      if (auto it = assigned.find(cell); it != assigned.end()) return it->second;
      if (auto it = derived.find(cell); it != derived.end()) return it->second;
      return std::nullopt;
    };
    while (changed && ok) {
      changed = false;
      for (const SumRelation* r : rels) {
        std::int64_t residual = 0;
        std::vector<std::pair<std::string, int>> open;
        for (const auto& [cell, c] : Terms(*r)) {
          if (auto v = value_of(cell)) {
            residual += c * *v;
          } else {
            open.push_back({cell, c});
          }
        }
        if (open.empty()) {
          if (residual != 0) ok = false;
        } else if (open.size() == 1) {
          const std::int64_t v = -residual / open[0].second;
          if (v < 0) {
            ok = false;
          } else {
            derived[open[0].first] = v;
            changed = true;
          }
        }
      }
    }
    if (!ok) return;
    any_solution = true;
    for (const std::string& cell : unknowns) {
      if (auto v = value_of(cell)) {
        values_of[cell].insert(*v);
      } else {
        values_of[cell].insert(-1);  // free
      }
    }
  };
  enumerate(0);
  if (!any_solution) return out;
  for (const auto& [cell, vs] : values_of) {
    if (found.count(cell) != 0 || vs.size() != 1 || !Small(*vs.begin(), k)) continue;
    out.push_back({"solving", f.where, cell, *vs.begin(),
                   "the only solution with every null in 0.." + std::to_string(k - 1)});
  }
  return out;
}

std::vector<Finding> Attacker::Ratios(const Figures& f) const {
  std::vector<Finding> out;
  const std::int64_t k = o_.min_count;
  for (const RatioRelation& r : o_.ratios) {
    if (!Known(f, r.share)) continue;
    const std::int64_t share = Value(f, r.share);
    // One side fully published, the other with exactly one hidden cell.
    auto sum = [&](const std::vector<std::string>& cells, std::int64_t* total,
                   std::vector<std::string>* hidden) {
      *total = 0;
      for (const auto& c : cells) {
        if (Known(f, c)) {
          *total += Value(f, c);
        } else {
          hidden->push_back(c);
        }
      }
    };
    std::int64_t num = 0, other = 0;
    std::vector<std::string> hn, ho;
    sum(r.num, &num, &hn);
    sum(r.other, &other, &ho);
    if (hn.size() + ho.size() != 1) continue;
    const bool num_side = hn.size() == 1;
    std::set<std::int64_t> candidates;  // the hidden cell's possible values
    for (std::int64_t x = 0; x <= 20000 && candidates.size() < static_cast<std::size_t>(2 * k);
         ++x) {
      const std::int64_t a = num_side ? num + x : num;
      const std::int64_t b = num_side ? other : other + x;
      if (a + b == 0) continue;
      const std::int64_t rounded =
          std::llround(std::round(1000.0 * static_cast<double>(a) / static_cast<double>(a + b)));
      if (rounded == share) candidates.insert(x);
    }
    if (candidates.empty() || candidates.size() >= static_cast<std::size_t>(2 * k)) continue;
    if (Small(*candidates.begin(), k) && Small(*candidates.rbegin(), k)) {
      const std::string cell = num_side ? hn[0] : ho[0];
      out.push_back({"ratio", f.where, cell, *candidates.begin(),
                     r.share + " leaves " + std::to_string(candidates.size()) +
                         " value(s), all in 1.." + std::to_string(k - 1)});
    }
  }
  return out;
}

std::vector<Finding> Attacker::Percentiles(const Figures& f) const {
  std::vector<Finding> out;
  const std::int64_t k = o_.min_count;
  for (const PercentileRule& rule : o_.percentiles) {
    bool any = false;
    for (const auto& p : rule.percentiles) any |= Known(f, p);
    if (!any) continue;
    bool all = true;
    std::int64_t visits = 0;
    std::string hidden;
    for (const auto& b : rule.buckets) {
      if (Known(f, b)) {
        visits += Value(f, b);
      } else {
        all = false;
        if (Hidden(f, b) && hidden.empty()) hidden = b;
      }
    }
    if (all && visits < std::max(rule.min_visits, k)) {
      out.push_back({"percentile", f.where, rule.percentiles.front(), visits,
                     "percentiles of fewer than " + std::to_string(std::max(rule.min_visits, k)) +
                         " visits"});
    } else if (!hidden.empty()) {
      out.push_back({"percentile", f.where, rule.percentiles.front(), 0,
                     "published beside the hidden bucket " + hidden});
    }
  }
  return out;
}

// ---- footfall.counts ---------------------------------------------------------

namespace {
// (Function-local: other translation units' static objects may use them.)
const std::vector<std::string>& CountsPeople() {
  static const std::vector<std::string> names = {"devices.unique",
                                                 "devices.global_mac",
                                                 "devices.randomized_mac",
                                                 "devices.estimated",
                                                 "visitors",
                                                 "occupancy",
                                                 "stationary",
                                                 "passersby",
                                                 "arrivals",
                                                 "departures",
                                                 "stationary_departures",
                                                 "engagement.under_5m",
                                                 "engagement.5_to_20m",
                                                 "engagement.20_to_60m",
                                                 "engagement.1_to_6h",
                                                 "engagement.over_6h",
                                                 "epoch.devices",
                                                 "epoch.visitors"};
  return names;
}
const std::vector<std::string>& Buckets() {
  static const std::vector<std::string> names = {"engagement.under_5m", "engagement.5_to_20m",
                                                 "engagement.20_to_60m", "engagement.1_to_6h",
                                                 "engagement.over_6h"};
  return names;
}
}  // namespace

Figures CountsFigures(const std::string& where, const std::string& payload) {
  const nlohmann::json j = nlohmann::json::parse(payload);
  Figures f;
  f.where = where;
  if (j.contains("seq")) f.where += " (seq " + std::to_string(j["seq"].get<std::int64_t>()) + ")";
  if (j.contains("epoch") && j["epoch"].contains("start")) {
    f.series = j["epoch"]["start"].get<std::string>();
  }
  auto put = [&](const std::string& name, const nlohmann::json& v, double scale) {
    if (v.is_null()) {
      f.values[name] = std::nullopt;
    } else if (v.is_number()) {
      f.values[name] = std::llround(v.get<double>() * scale);
    }
  };
  for (const std::string& name : CountsPeople()) {
    const auto dot = name.find('.');
    if (dot == std::string::npos) {
      if (j.contains(name)) put(name, j[name], 1);
    } else {
      const std::string a = name.substr(0, dot), b = name.substr(dot + 1);
      if (j.contains(a) && j[a].is_object() && j[a].contains(b)) put(name, j[a][b], 1);
    }
  }
  if (j.contains("capture_rate")) put("capture_rate", j["capture_rate"], 1000);
  if (j.contains("dwell_s")) {
    for (const char* p : {"p50", "p90"}) {
      if (j["dwell_s"].contains(p)) put(std::string("dwell_s.") + p, j["dwell_s"][p], 1);
    }
  }
  return f;
}

AttackerOptions CountsAttackerOptions(std::int64_t min_count) {
  AttackerOptions o;
  o.min_count = min_count;
  o.people.insert(CountsPeople().begin(), CountsPeople().end());
  o.cumulative = {"epoch.devices", "epoch.visitors"};
  o.relations.push_back({"devices.unique", {"devices.global_mac", "devices.randomized_mac"}});
  std::vector<std::string> closed = {"passersby"};
  closed.insert(closed.end(), Buckets().begin(), Buckets().end());
  closed.push_back("stationary_departures");
  o.relations.push_back({"departures", closed});
  o.ratios.push_back({"capture_rate", Buckets(), {"passersby"}});
  o.percentiles.push_back({{"dwell_s.p50", "dwell_s.p90"}, Buckets(), 10});
  return o;
}

// ---- Text channels -------------------------------------------------------------

Figures TextFigures(const std::string& where, const std::string& series, const std::string& text,
                    const std::vector<std::pair<std::string, std::string>>& patterns) {
  Figures f;
  f.where = where;
  f.series = series;
  for (const auto& [name, pattern] : patterns) {
    std::smatch m;
    if (std::regex_search(text, m, std::regex(pattern)) && m.size() > 1) {
      f.values[name] = std::stoll(m[1].str());
    }
  }
  return f;
}

Figures MetricsFigures(const std::string& where, const std::string& series,
                       const std::string& text) {
  Figures f;
  f.where = where;
  f.series = series;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    // name{labels} value [timestamp]; label values may hold spaces.
    std::size_t end = line.find('}');
    end = end == std::string::npos ? line.find(' ') : end + 1;
    if (end == std::string::npos || end >= line.size()) continue;
    const std::string name = line.substr(0, end);
    std::istringstream rest(line.substr(end));
    double v = 0;
    if (!(rest >> v) || !std::isfinite(v) || std::floor(v) != v) continue;
    f.values[name] = static_cast<std::int64_t>(v);
  }
  return f;
}

}  // namespace footfall::testing
