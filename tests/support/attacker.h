// Purpose: an attacker on footfall's published figures, for the privacy tests
// of every output channel (MQTT counts, log lines, the systemd status line,
// the metrics text). It reads a sequence of observations (figures by name, a
// null being a hidden figure) and looks for a count of 1..k-1 people (k =
// [privacy] min_count) that it can state for certain:
//  - direct: a count of people published as 1..k-1;
//  - differencing: two observations of one series (e.g. the messages of one
//    key epoch, or the status lines of one window) between which a cumulative
//    figure (a total that only grows) moved by 1..k-1: that many new people;
//  - subtraction and solving: within one observation, the sum relations
//    between figures (total = sum of parts), solved for the hidden ones by
//    linear elimination (a hidden figure the published ones determine), and
//    by enumerating every hidden figure over 0..k-1 (what a null is
//    documented to mean, besides a complementary suppression): a hidden
//    figure that takes one single value in 1..k-1 in every solution;
//  - ratios: a published share num / (num + other) (e.g. the capture rate,
//    3 decimals) beside a hidden part, which may give the part back;
//  - percentiles: nearest-rank percentiles of fewer than a minimum of
//    visits (they are single visits' values), or beside a hidden bucket of
//    the same visits.
// It is written independently of transport/disclosure (no shared code), so
// that it can find what the suppression misses. Figures absent from an
// observation are unknowns too (not published, but maybe derivable).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace footfall::testing {

struct Figures {
  std::string where;   // for the report: "counts seq 17", "status line 4", ...
  std::string series;  // observations of one series may be differenced
  // A published figure has a value; a hidden one (null) has none. Shares are
  // scaled to thousandths (0.625 -> 625).
  std::map<std::string, std::optional<std::int64_t>> values;
};

struct SumRelation {  // total = sum of parts, within one observation
  std::string total;
  std::vector<std::string> parts;
};

struct RatioRelation {  // share = sum(num) / (sum(num) + sum(other)), in thousandths
  std::string share;
  std::vector<std::string> num;
  std::vector<std::string> other;
};

struct PercentileRule {  // nearest-rank percentiles of the visits counted by `buckets`
  std::vector<std::string> percentiles;
  std::vector<std::string> buckets;
  std::int64_t min_visits = 10;
};

struct AttackerOptions {
  std::int64_t min_count = 3;
  std::set<std::string> people;      // figures that count people (or their devices or visits)
  std::set<std::string> cumulative;  // totals differenced within a series
  std::vector<SumRelation> relations;
  std::vector<RatioRelation> ratios;
  std::vector<PercentileRule> percentiles;
};

struct Finding {
  std::string attack;  // "direct", "differencing", "solving", "ratio", "percentile"
  std::string where;
  std::string figure;
  std::int64_t value = 0;  // the count found (for percentiles: the number of visits)
  std::string how;
};
std::string ToString(const Finding& f);

class Attacker final {
 public:
  explicit Attacker(AttackerOptions options) : o_(std::move(options)) {}

  // Every attack over the sequence.
  std::vector<Finding> Attack(const std::vector<Figures>& sequence) const;

  std::vector<Finding> Direct(const Figures& f) const;
  std::vector<Finding> Differences(const std::vector<Figures>& sequence) const;
  std::vector<Finding> Solve(const Figures& f) const;
  std::vector<Finding> Ratios(const Figures& f) const;
  std::vector<Finding> Percentiles(const Figures& f) const;

 private:
  AttackerOptions o_;
};

// ---- footfall.counts (MQTT) -------------------------------------------------
// The figures of one counts message (any schema version): every count by its
// dotted name ("devices.unique", "visitors"), capture_rate in thousandths,
// the dwell percentiles in seconds; series = epoch.start.
Figures CountsFigures(const std::string& where, const std::string& payload);
// The attacker of the counts messages: the people counts, the epoch totals
// as cumulative, the sum relations (devices.unique = global + randomized;
// departures = passers-by + engagement buckets + stationary departures),
// the capture rate and the dwell percentiles. `occupancy`, if published, is
// a people count (it adds up with no other figure).
AttackerOptions CountsAttackerOptions(std::int64_t min_count);

// ---- Text channels (logs, status line, metrics) -----------------------------
// Figures read from one line of text: for each (name, ECMAScript regex with
// one capture group of digits), the first match's number, if any.
Figures TextFigures(const std::string& where, const std::string& series, const std::string& text,
                    const std::vector<std::pair<std::string, std::string>>& patterns);
// Figures of a Prometheus text exposition: every sample line "name{labels}
// value" by "name{labels}" (integers only; comments skipped).
Figures MetricsFigures(const std::string& where, const std::string& series,
                       const std::string& text);

}  // namespace footfall::testing
