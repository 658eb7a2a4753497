// Purpose: the estimated-device grouping and visit bookkeeping (see
// people_estimator.h).
//
// Grouping. A pseudonym already known belongs to its device; a global MAC is
// its own device. A new randomized pseudonym is linked to an existing device
// of the same keyed model fingerprint:
//  1. strongly, if its sequence number continues that device's within
//     visit_gap: phones that keep their sequence counter across a MAC change
//     (real phones change MAC mid-burst, and skip up to ~250 numbers on
//     channels the sensor does not hear). The accepted gap is 32 and widens
//     to 256 while few phones of the model are tracked; the closest
//     continuation wins. A model counts as followable by its sequence
//     numbers only by the strong links beyond those expected by chance (in
//     a crowd of one model, a gap of 32 matches somebody else's counter by
//     chance for most new MACs).
//  2. weakly otherwise, but only for models whose new MACs rarely link
//     strongly (they reset the counter): among that model's devices heard
//     within the weak horizon, the one whose silence best fits its own
//     burst cadence and whose signal is closest. The signal must be within
//     the jump (90th percentile) that the model's own devices keeping their
//     MAC show from burst to burst; a model without such evidence borrows
//     the whole crowd's, unless that would refuse most of its new MACs (its
//     signal moves more than the crowd's: a phone beside a steady till);
//     without any evidence any jump is accepted.
// Otherwise it is a new device. A model is a fingerprint, or several: one MAC
// heard with two signatures (a phone's 2.4 and 5 GHz probes, its directed
// probes' extra elements) merges their models for the epoch (MergeModels).
// A phone never returns to a random MAC it
// left: when a device's older MAC is heard again after a newer one was
// linked to it, the newer one is split off as a device of its own. (This
// replaced a "mid-burst" rule that refused a link to a device heard in the
// last 10 ms: the Argo simulator starts a burst under a new MAC 1 ms after
// the last frame, and two phones bursting at once interleave their MACs.)
//
// Counting. For models whose MAC changes sequence numbers reveal, the grouped
// devices are counted. A model that resets the counter and whose new MACs
// all went to one device in the window (and no more than kOneDevice times
// the MACs a device uses) is one device. For the others, weak links are right
// for the visits of people who stay but merge or split phones in a crowd, so
// a window counts them as the MACs they used divided by the MACs per device
// per window of their family's phones seen as one device (a family: models
// whose signatures differ only in vendor elements at the end, as phones that
// add a WPS or UUID element of their own), else that the followable
// per-burst randomizers of the same crowd show (a calibration pooled over
// recent windows, their single MACs that continued nobody aside), or,
// without enough of those, the models seen as one device. Chains of a model
// that were never heard at the same time in the window count as one.
//
// Why (docs/accuracy.md): the weak links used to require a 1 s silence, a
// next burst within [1/6, 6] of the device's cadence and a signal within
// 6 dB, properties of our own simulator. An independent simulator (Argo)
// draws the path loss anew for every burst (median jump 11 dB between one
// phone's bursts) and sends bursts 0.1-40 s apart, so most true continuations
// were refused and each refusal became a new device.
//
// Visits follow the definitions in window_counter.h. Everything expires with
// the visit: a device is forgotten when its visit closes, a pseudonym when
// unseen for visit_gap (checked at every window's end), so the tables hold
// only what the horizon needs; what is forgotten is wiped.
//
// The constants were chosen on the tuning halves of the data sets of
// scripts/accuracy (docs/accuracy.md).
#include "analytics/people_estimator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

#include "analytics/window_counter.h"

namespace footfall::analytics {
namespace {

// Judging a model (all per fingerprint, per key epoch).
constexpr std::uint64_t kGroupEvidence = 20;  // new MACs seen before a model is judged
constexpr double kWeakOnlyBelow = 0.25;       // weak links only if fewer new MACs link strongly
constexpr double kStrongShare = 0.25;         // followable: this share of MAC changes link strongly
constexpr double kPerBurstMacs = 1.5;         // per-burst randomizer: new MACs per device
// Calibration of the ambiguous models' count.
constexpr double kCalibrationChains = 8;   // devices (decayed) before it is used
constexpr double kCalibrationDecay = 0.9;  // per window
// A family's rate is used from one phone of its own (decayed), and dropped
// below a twentieth of one.
constexpr double kFamilyEvidence = 1;
constexpr double kFamilyForgotten = 0.05;
constexpr double kOneDevice = 2.5;  // a model's one chain is one device up to this many times
                                    // the MACs per device of the calibration
// Linking.
constexpr int kSeqMaxGap = 32;        // continuation always accepted up to this gap
constexpr double kAccidental = 0.05;  // ... and up to 5 % odds of a chance match
constexpr int kSeqWidestGap = 256;    // the most frames a phone sends between two MACs
constexpr int kSeqBucketBits = 5;     // index buckets of 32 sequence numbers
// A silence this long starts a new burst (for the device's cadence): a
// burst on channels 1, 6 and 11 lasts under 0.4 s.
constexpr std::int64_t kNewBurstUs = 1'000'000;
constexpr std::int64_t kWeakHorizonUs = 300'000'000;  // and at most visit_gap
constexpr double kPriorInterval = 60;  // s between bursts, until a device shows its own
constexpr double kRssiScale = 4;       // dB of signal jump weighing like a factor e in timing
constexpr int kMaxRssiJumpDb = 48;     // jumps are capped here in the score (no gate)
constexpr std::size_t kWeakScan = 32;  // live burst entries examined per weak link
// Without a calibration, a model's chains are its count while no more than
// this many are heard at once (4, 8 and 16 gave 11-12 % on the tuning half
// of argo-like, 2 gave 100 %); and the MACs per chain of such models count
// the others once there are this many chains.
constexpr std::uint64_t kChainsTrustedAtOnce = kWeakScan / 4;
constexpr std::uint64_t kTrustedChains = 3;
// Occupancy (CountOccupancy): heard inside this long before the window too,
// and each window's count weighted this much against the previous figure.
constexpr std::int64_t kOccupancyHoldUs = 30'000'000;
constexpr double kOccupancyWeight = 0.5;
// The signal tolerance of weak links: this quantile of the jumps between
// consecutive bursts of devices that kept their MAC, once this many (decayed
// per window) were seen; until then, none.
constexpr double kJumpQuantile = 0.9;
// A model borrows the crowd's tolerance unless more than this share of its
// weak links in reach were refused by it (after this many, decayed).
constexpr double kMisfitShare = 0.5;
constexpr double kMisfitEvidence = 10;
constexpr double kJumpEvidence = 30;
constexpr double kJumpDecay = 0.9;
// exp(jump / kRssiScale) for jumps of 0..kMaxRssiJumpDb dB.
const std::array<double, kMaxRssiJumpDb + 1> kJumpFactor = [] {
  std::array<double, kMaxRssiJumpDb + 1> f{};
  for (int j = 0; j <= kMaxRssiJumpDb; ++j)
    f[static_cast<std::size_t>(j)] = std::exp(j / kRssiScale);
  return f;
}();
// How far 12-bit sequence number `seq` is past `last` (0..4095).
int SequenceGap(std::uint16_t seq, std::uint16_t last) { return (seq - last) & 0xFFF; }
std::int64_t Micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// Nearest-rank percentile of sorted values (p in (0, 1]).
template <typename Sorted>
double NearestRank(const Sorted& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p * n));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

PeopleEstimator::PeopleEstimator(PeopleOptions options)
    : options_(options),
      gap_us_(std::chrono::duration_cast<std::chrono::microseconds>(options.visit_gap).count()),
      min_visit_us_(
          std::chrono::duration_cast<std::chrono::microseconds>(options.min_visit).count()),
      stationary_us_(
          std::chrono::duration_cast<std::chrono::microseconds>(options.stationary_after).count()),
      weak_horizon_us_(std::min(gap_us_, kWeakHorizonUs)) {}

std::uint64_t PeopleEstimator::SeqKey(std::uint64_t fingerprint, int bucket) {
  return Mix64(fingerprint ^ static_cast<std::uint64_t>(bucket));
}

PeopleEstimator::Sighting PeopleEstimator::OnProbe(TimePoint when, const hashing::Pseudonym& who,
                                                   const ProbeTraits& heard,
                                                   std::optional<int> signal_dbm) {
  ProbeTraits traits = heard;
  if (traits.has_fingerprint) traits.fingerprint = ModelOf(traits.fingerprint);
  const std::int64_t t = std::max(Micros(when), latest_us_);
  latest_us_ = t;
  if (window_start_us_ == 0) window_start_us_ = t;
  Sighting sighting;
  PseudonymEntry* entry = pseudonyms_.Find(who.value);
  std::uint32_t index = entry != nullptr && Valid(*entry) ? entry->device : kNone;
  const bool same_mac = index != kNone;  // the device's MAC, not a new one
  if (same_mac) {
    // A phone never returns to a random MAC it left: if the device's latest
    // MAC was linked to it and an older one is heard again, the latest is
    // somebody else's (two phones of one model in turn, or bursting at once).
    // Unless the frame continues the device's sequence: a phone that uses
    // one MAC per network it asks for cycles through them in one scan, with
    // one counter (Argo's G_test_6-7: five MACs, consecutive numbers, 8 ms).
    const Device& d = devices_[index];
    const int gap = SequenceGap(heard.sequence, d.last_seq);
    if (d.randomized && d.current_linked && d.current_mac != who.value &&
        (gap < 1 || gap > kSeqMaxGap)) {
      SplitCurrent(index);
    }
    // One MAC, two signatures: one phone's (2.4 and 5 GHz probes, a directed
    // probe's extra elements), so one model from now on. (SplitCurrent may
    // have moved the table; both fingerprints are a model's own, so the
    // merge makes no cycle.)
    if (const Device& now = devices_[index]; now.randomized && traits.has_fingerprint) {
      const std::uint64_t mine = ModelOf(now.fingerprint);
      if (mine != traits.fingerprint) MergeModels(mine, traits.fingerprint);
    }
  }
  if (index == kNone) {
    if (who.has_carried) {  // the same MAC under the previous key (carry-over)
      const PseudonymEntry* carried = pseudonyms_.Find(who.carried);
      if (carried != nullptr && Valid(*carried)) {
        index = carried->device;
        sighting.carried_in_window = carried->window == window_;
      }
    }
    if (index == kNone && who.randomized) {
      Group& g = groups_[traits.fingerprint];
      if (g.family == 0) g.family = heard.has_base ? heard.base_fingerprint : heard.fingerprint;
      ++g.new_macs;
      bool strong = false;
      index = Link(t, traits, signal_dbm, g, &strong);
      if (strong) ++g.strong;
      if (index == kNone) ++g.devices;
    }
    const bool linked = index != kNone;
    if (index == kNone) index = NewDevice(t, who, traits);
    devices_[index].current_mac = who.value;
    devices_[index].current_since_us = t;
    devices_[index].current_linked = linked && who.randomized && !who.has_carried;
    entry = &pseudonyms_.Insert(who.value);
    if (devices_[index].macs < 0xFFFF) ++devices_[index].macs;
    entry->device = index;
    entry->generation = devices_[index].generation;
    entry->window = 0;
  }
  entry->last_s = static_cast<std::uint32_t>(t / 1'000'000);
  Device& d = devices_[index];
  d.ies_len = traits.ies_len;
  if (d.window != window_) {
    d.window = window_;
    d.window_first_us = t;
    d.window_macs = 0;
    d.window_rssi = kNoSignal;
  }
  if (signal_dbm)
    d.window_rssi = std::max<std::int16_t>(d.window_rssi, static_cast<std::int16_t>(*signal_dbm));
  if (entry->window != window_) {
    entry->window = window_;
    ++d.window_macs;
    sighting.new_in_window = true;
  }
  Touch(index, t, traits, signal_dbm, same_mac);
  return sighting;
}

// The device's latest MAC becomes a device of its own, with the device's
// latest state (every frame since that MAC was linked was its); the device
// keeps its older MACs.
void PeopleEstimator::SplitCurrent(std::uint32_t index) {
  devices_[index].current_linked = false;
  const std::uint64_t current = devices_[index].current_mac;
  PseudonymEntry* e = pseudonyms_.Find(current);
  if (e == nullptr || !Valid(*e) || e->device != index) return;
  const Device old = devices_[index];  // NewDevice may move the table
  const std::uint32_t n = NewDevice(old.last_us, hashing::Pseudonym{current, true},
                                    ProbeTraits{true, old.fingerprint, old.last_seq});
  Device& d = devices_[index];
  Device& s = devices_[n];
  if (d.group != nullptr) ++d.group->devices;
  s.burst_us = old.burst_us;
  s.interval_s = old.interval_s;
  s.last_seq = old.last_seq;
  s.last_rssi = old.last_rssi;
  s.has_rssi = old.has_rssi;
  s.max_rssi = old.last_rssi;
  if (old.inside_us >= old.current_since_us) s.inside_us = old.inside_us;
  s.visit_open = true;
  s.first_us = std::max(old.current_since_us, old.first_us);
  ++arrivals_;
  s.current_mac = current;
  s.current_since_us = old.current_since_us;
  s.macs = 1;
  if (d.macs > 1) --d.macs;
  if (e->window == window_ && old.window == window_) {
    s.window = window_;
    s.window_first_us = std::max(old.current_since_us, old.window_first_us);
    s.window_macs = 1;
    s.window_rssi = old.last_rssi;
    if (d.window_macs > 1) --d.window_macs;
  }
  e->device = n;
  e->generation = s.generation;
  s.seq_bucket = static_cast<std::int16_t>(s.last_seq >> kSeqBucketBits);
  by_seq_[SeqKey(s.fingerprint, s.seq_bucket)].push_back(n);
  bursts_[s.fingerprint].push_back(BurstEntry{n, s.burst_us});
  ++index_entries_;
}

bool PeopleEstimator::Valid(const PseudonymEntry& e) const {
  const Device& d = devices_[e.device];
  return d.alive && d.generation == e.generation;
}

bool PeopleEstimator::NeedsFingerprint(std::uint64_t pseudonym, std::size_t ies_len) const {
  const PseudonymEntry* e = pseudonyms_.Find(pseudonym);
  if (e == nullptr || !Valid(*e)) return true;
  const Device& d = devices_[e->device];
  return d.randomized && d.ies_len != ies_len;
}

// The model's fingerprint; the chain walked is shortened to point at it, so
// that no chain of merges makes later lookups long.
std::uint64_t PeopleEstimator::ModelOf(std::uint64_t fingerprint) {
  const std::uint64_t model = FindModel(fingerprint);
  while (fingerprint != model) {
    std::uint64_t& next = merged_into_[fingerprint];
    fingerprint = next;
    next = model;
  }
  return model;
}

std::uint64_t PeopleEstimator::FindModel(std::uint64_t fingerprint) const {
  for (auto it = merged_into_.find(fingerprint); it != merged_into_.end();
       it = merged_into_.find(fingerprint)) {
    fingerprint = it->second;
  }
  return fingerprint;
}

// A per-network address (docs/accuracy.md, fifth and sixth rounds): a MAC
// kept from one burst to another that sends only directed probes, whose
// signature is a model's plus vendor elements. Phones keep such an address
// per network they ask for and scan under new random MACs of that model
// besides (Argo's F_test_1: one iPhone, two networks, 700 s); for a network
// with randomization turned off it is the phone's own global MAC (G_test_6-7:
// two phones; the lab: a few a day). The Argo generator's directed probes
// change MAC like its scans.
bool PeopleEstimator::PerNetworkAddress(const Device& d) const {
  return d.directed_only && d.kept_mac && d.has_scan_model;
}

// The models of the randomized devices `heard` (a predicate on a live
// device) in broadcast probes.
template <typename Heard>
hashing::WipedHashSet PeopleEstimator::ScanningModels(Heard heard) const {
  hashing::WipedHashSet models;
  for (const Device& d : devices_) {
    if (d.alive && d.randomized && !d.directed_only && heard(d)) models.insert(d.fingerprint);
  }
  return models;
}

// Whether `d` counts as a device of its own: not a per-network address
// while a device of its phone's broadcast model is heard (`scanning`), as
// it is then most likely one of them. (Which one is not known: in a crowd
// of one model any scanning phone stands in for its owner.)
bool PeopleEstimator::CountedApart(const Device& d, const hashing::WipedHashSet& scanning) const {
  return !PerNetworkAddress(d) || scanning.count(FindModel(d.scan_model)) == 0;
}

// Model `other` (a model's fingerprint, as `keep`) becomes part of model
// `keep`: its new MACs' fingerprint is mapped to `keep` from now on, what was
// learnt of it is added to `keep`'s, and its devices are re-indexed under
// `keep`, so that a new MAC of either links to the devices of both. At most
// one merge per fingerprint an epoch: O(devices of `other`) each.
void PeopleEstimator::MergeModels(std::uint64_t keep, std::uint64_t other) {
  merged_into_[other] = keep;
  Group& k = groups_[keep];
  if (auto og = groups_.find(other); og != groups_.end()) {
    const Group& o = og->second;
    if (k.family == 0) k.family = o.family;
    k.new_macs += o.new_macs;
    k.devices += o.devices;
    k.strong += o.strong;
    k.live += o.live;
    k.chance += o.chance;
    for (std::size_t j = 0; j < k.jumps.size(); ++j) {
      k.jumps[j] += o.jumps[j];
      k.nearest[j] += o.nearest[j];
    }
    k.jumps_seen += o.jumps_seen;
    k.nearest_seen += o.nearest_seen;
  }
  // Every live randomized device is in a sequence bucket (Touch).
  std::vector<std::uint32_t> moving;
  for (int bucket = 0; bucket < (4096 >> kSeqBucketBits); ++bucket) {
    moving.clear();
    if (auto it = by_seq_.find(SeqKey(other, bucket)); it != by_seq_.end()) {
      auto& v = it->second;
      const auto others = std::partition(
          v.begin(), v.end(), [&](std::uint32_t i) { return devices_[i].fingerprint != other; });
      moving.assign(others, v.end());
      v.erase(others, v.end());
      if (v.empty()) by_seq_.erase(it);
    }
    if (moving.empty()) continue;
    auto& into = by_seq_[SeqKey(keep, bucket)];
    for (std::uint32_t i : moving) {
      devices_[i].fingerprint = keep;
      devices_[i].group = &k;
      into.push_back(i);
    }
  }
  if (auto ob = bursts_.find(other); ob != bursts_.end()) {
    hashing::WipedDeque<BurstEntry> from;
    from.swap(ob->second);
    bursts_.erase(ob);
    auto& into = bursts_[keep];
    hashing::WipedDeque<BurstEntry> both;
    std::merge(into.begin(), into.end(), from.begin(), from.end(), std::back_inserter(both),
               [](const BurstEntry& a, const BurstEntry& b) { return a.burst_us < b.burst_us; });
    into.swap(both);
  }
  groups_.erase(other);
}

std::optional<std::uint64_t> PeopleEstimator::DeviceOf(std::uint64_t pseudonym) const {
  const PseudonymEntry* e = pseudonyms_.Find(pseudonym);
  if (e == nullptr || !Valid(*e)) return std::nullopt;
  return devices_[e->device].identity;
}

std::uint32_t PeopleEstimator::Link(std::int64_t t, const ProbeTraits& traits,
                                    std::optional<int> signal, Group& g, bool* strong) {
  const std::uint64_t fp = traits.fingerprint;
  // 1. Sequence-number continuity.
  // The wider the accepted gap, the likelier a chance match with another
  // phone of the model: the gap accepted shrinks with the phones tracked.
  const std::uint64_t tracked = g.live;
  const int allowed =
      std::clamp(static_cast<int>(kAccidental * 4096.0 /
                                  static_cast<double>(std::max<std::uint64_t>(1, tracked))),
                 kSeqMaxGap, kSeqWidestGap);
  // The odds that a new MAC of somebody else continues one of the tracked
  // sequences by chance: strong links of a model count only above them.
  g.chance += std::min(1.0, static_cast<double>(tracked) * allowed / 4096.0);
  std::uint32_t best = kNone;
  int best_gap = 4096;
  int last_bucket = -1;
  for (int back = 1; back <= allowed; back += 1 << kSeqBucketBits) {
    for (int edge : {back, std::min(back + (1 << kSeqBucketBits) - 1, allowed)}) {
      const int bucket = ((traits.sequence - edge) & 0xFFF) >> kSeqBucketBits;
      if (bucket == last_bucket) continue;
      last_bucket = bucket;
      auto it = by_seq_.find(SeqKey(fp, bucket));
      if (it == by_seq_.end()) continue;
      for (std::uint32_t i : it->second) {
        const Device& d = devices_[i];
        if (d.fingerprint != fp) continue;  // another model in the same bucket key
        const int gap = SequenceGap(traits.sequence, d.last_seq);
        if (gap < 1 || gap > allowed) continue;
        if (t - d.last_us > gap_us_) continue;
        if (gap < best_gap) {
          best_gap = gap;
          best = i;
        }
      }
    }
  }
  if (best != kNone) {
    *strong = true;
    return best;
  }
  // 2. Only for models that do not keep their counter across a MAC change.
  if (g.new_macs >= kGroupEvidence &&
      g.Followed() >= kWeakOnlyBelow * static_cast<double>(g.new_macs)) {
    return kNone;
  }
  // The best-fitting silent device of the model, within the weak horizon.
  auto q = bursts_.find(fp);
  if (q == bursts_.end()) return kNone;
  auto& entries = q->second;
  auto live = [this, fp](const BurstEntry& e) {
    const Device& d = devices_[e.device];
    return d.alive && d.fingerprint == fp && d.burst_us == e.burst_us;
  };
  while (!entries.empty() && (!live(entries.front()) ||
                              t - devices_[entries.front().device].last_us > weak_horizon_us_)) {
    entries.pop_front();
  }
  std::size_t examined = 0;
  std::uint32_t chosen = kNone;
  double best_score = 1e300;
  const int tolerance = g.own_tolerance >= 0 ? g.own_tolerance
                        : g.misfit           ? kMaxRssiJumpDb
                                             : jump_tolerance_;
  int nearest = -1;  // the smallest jump to a candidate in reach, -1: none
  for (const BurstEntry& e : entries) {
    if (examined == kWeakScan) break;
    if (!live(e)) continue;
    ++examined;
    const Device& d = devices_[e.device];
    const double silence = static_cast<double>(t - d.last_us) / 1e6;
    if (t - d.last_us > weak_horizon_us_) continue;
    const double interval = d.interval_s > 0 ? d.interval_s : kPriorInterval;
    // exp(|ln(silence / interval)| + jump / kRssiScale), without the logarithm.
    const double ratio = silence / interval;
    double score = ratio >= 1 ? ratio : 1 / ratio;
    if (signal && d.has_rssi) {
      const int jump = std::min(std::abs(*signal - d.last_rssi), kMaxRssiJumpDb);
      if (nearest < 0 || jump < nearest) nearest = jump;
      if (jump > tolerance) continue;
      score *= kJumpFactor[static_cast<std::size_t>(jump)];
    }
    if (score < best_score) {
      best_score = score;
      chosen = e.device;
    }
  }
  if (nearest >= 0) {
    g.nearest[static_cast<std::size_t>(nearest)] += 1;
    g.nearest_seen += 1;
  }
  return chosen;
}

std::uint32_t PeopleEstimator::NewDevice(std::int64_t t, const hashing::Pseudonym& who,
                                         const ProbeTraits& traits) {
  std::uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(devices_.size());
    devices_.emplace_back();
  }
  Device& d = devices_[index];
  const std::uint32_t generation = d.generation;
  d = Device{};
  d.generation = generation;
  d.alive = true;
  d.randomized = who.randomized;
  d.fingerprint = traits.fingerprint;
  // A global MAC's pseudonym is the same device all epoch long (it may come
  // back after its visit closed); a randomized device is new by construction.
  d.identity = who.randomized ? Mix64(next_identity_++) : who.value;
  d.last_us = t;
  d.burst_us = t;
  epoch_devices_.Add(d.identity);
  if (d.randomized) {
    d.group = &groups_[d.fingerprint];
    ++d.group->live;
  }
  return index;
}

bool PeopleEstimator::Qualifies(const Device& d) const {
  const std::int64_t duration = d.last_us - d.first_us;
  return d.max_rssi >= options_.visitor_rssi_dbm && duration >= min_visit_us_ &&
         duration < stationary_us_ && !Fixed(d);
}

// Fixed devices are recognised by their address's cadence
// (analytics/fixed_devices.h): global addresses only, since a phone that keeps
// one random address and scans on a timer looks the same (the lab has two).
bool PeopleEstimator::Fixed(const Device& d) const {
  return !d.randomized && fixed_.IsFixed(d.identity);
}

// Occupancy (docs/accuracy.md, the ESP32 lab): the estimated devices heard
// inside (inside_rssi_dbm) in the window or in the kOccupancyHoldUs before it,
// fixed ones aside, each counted once; published smoothed over the windows
// (kOccupancyWeight). A person in the room all window long is heard in it
// only when the phone probes, and an idle phone may not within 5 minutes: the
// count of one window swings by a third around the people present (lab tuning
// days, 02-15 and 02-29). The hold catches phones that probed just before the
// window; a longer one counts a phone that changed its random address twice.
// The smoothing halves the swings at the cost of one window's lag at
// arrivals and departures. Chosen on the tuning days with the grouping of
// i12est's f6c56a2 (tuning MAPE, hold / weight): 0 s / none 29 %, 0 s / 0.5
// 23.1 %, 30 s / 0.5 23.1 % (r 0.875, the best), 60 s / 0.5 23.6 %, 60 s /
// 0.4 23.5 %, 0 s / 0.6 23.5 %; with the grouping before it 60 s / 0.5 was
// best (21.4 %; holding only global addresses or only devices seen more than
// once was no better).
// (Scaling the ambiguous models' devices by the calibration, as
// EstimateWindowDevices does, was tried on the lab's tuning days: 36 % and
// 41 % MAPE on the two full days against 31 % and 39 %.)
std::uint64_t PeopleEstimator::CountOccupancy() const {
  const std::int64_t since = window_start_us_ - kOccupancyHoldUs;
  auto inside = [since](const Device& d) { return d.inside_us > 0 && d.inside_us >= since; };
  const hashing::WipedHashSet scanning = ScanningModels(inside);
  std::uint64_t n = 0;
  for (const Device& d : devices_) {
    if (d.alive && inside(d) && !Fixed(d) && CountedApart(d, scanning)) ++n;
  }
  return n;
}

// The empty-zone cue of fixed-device recognition (fixed_devices.h): each
// global device heard in the window ending at `end` learns whether it was
// heard outside while no device, fixed ones aside, was inside.
void PeopleEstimator::NoteWhoIsAlone(std::int64_t end) {
  bool empty = true;
  for (const Device& d : devices_) {
    if (d.alive && d.window == window_ && d.window_rssi >= options_.inside_rssi_dbm && !Fixed(d)) {
      empty = false;
      break;
    }
  }
  for (const Device& d : devices_) {
    if (!d.alive || d.randomized || d.window != window_ || Fixed(d)) continue;
    fixed_.OnWindow(d.identity, window_start_us_, end, empty);
  }
}

std::uint64_t PeopleEstimator::SmoothOccupancy(std::uint64_t count) {
  const auto x = static_cast<double>(count);
  occupancy_ = occupancy_ < 0 ? x : kOccupancyWeight * x + (1 - kOccupancyWeight) * occupancy_;
  return static_cast<std::uint64_t>(std::llround(occupancy_));
}

void PeopleEstimator::Touch(std::uint32_t index, std::int64_t t, const ProbeTraits& traits,
                            std::optional<int> signal, bool same_mac) {
  Device& d = devices_[index];
  if (d.visit_open && t - d.last_us > gap_us_) CloseVisit(d);
  const bool new_burst = !d.visit_open || t - d.last_us >= kNewBurstUs;
  // What makes it a per-network address (PerNetworkAddress).
  const bool fresh = !same_mac && d.macs == 1;  // the device began with this frame
  d.directed_only = traits.directed && (fresh || d.directed_only);
  if (same_mac && new_burst) d.kept_mac = true;
  if (traits.has_base && !d.has_scan_model) {
    d.has_scan_model = true;
    d.scan_model = traits.base_fingerprint;
  }
  if (d.visit_open && new_burst) {
    // The device's own cadence, for judging later weak links.
    const auto gap = static_cast<float>(t - d.burst_us) / 1e6f;
    d.interval_s = d.interval_s > 0 ? 0.7f * d.interval_s + 0.3f * gap : gap;
    // How much one device's signal moves from one burst to the next, seen
    // where the device is certain (same MAC): the tolerance of weak links.
    // Per model: how a phone's signal moves is the model's and its
    // surroundings' (a steady till says nothing about a phone in a pocket).
    if (same_mac && signal && d.has_rssi) {
      const int jump = std::min(std::abs(*signal - d.last_rssi), kMaxRssiJumpDb);
      jumps_[static_cast<std::size_t>(jump)] += 1;
      jumps_seen_ += 1;
      if (d.group != nullptr) {
        d.group->jumps[static_cast<std::size_t>(jump)] += 1;
        d.group->jumps_seen += 1;
      }
    }
  }
  if (!d.visit_open) {
    d.visit_open = true;
    d.first_us = t;
    d.max_rssi = kNoSignal;
    d.counted_visitor = false;
    ++arrivals_;
  }
  if (new_burst && !d.randomized) fixed_.OnProbe(d.identity, t, signal);
  d.last_us = t;
  if (signal) {
    d.last_rssi = static_cast<std::int16_t>(*signal);
    d.has_rssi = true;
    d.max_rssi = std::max<std::int16_t>(d.max_rssi, d.last_rssi);
    if (*signal >= options_.inside_rssi_dbm) d.inside_us = t;
  }
  if (!d.counted_visitor && Qualifies(d)) {
    d.counted_visitor = true;
    epoch_visitors_.Add(d.identity);
  }
  if (!d.randomized) return;
  d.last_seq = traits.sequence;
  const auto bucket = static_cast<std::int16_t>(traits.sequence >> kSeqBucketBits);
  if (bucket != d.seq_bucket) {
    Unindex(index);
    d.seq_bucket = bucket;
    by_seq_[SeqKey(d.fingerprint, bucket)].push_back(index);
  }
  if (new_burst) {
    d.burst_us = t;
    bursts_[d.fingerprint].push_back(BurstEntry{index, t});
    ++index_entries_;
  }
}

void PeopleEstimator::CloseVisit(Device& d) {
  d.visit_open = false;
  ++departures_;
  const std::int64_t duration = d.last_us - d.first_us;
  if (duration >= stationary_us_ || Fixed(d)) {
    // A stationary device's visit: neither a visitor's dwell nor a passer-by.
  } else if (Qualifies(d)) {
    visitor_dwell_s_.push_back(static_cast<double>(duration) / 1e6);
  } else {
    ++passersby_;
  }
}

void PeopleEstimator::Free(std::uint32_t index) {
  Device& d = devices_[index];
  if (d.group != nullptr && d.group->live > 0) --d.group->live;
  Unindex(index);
  // Forgotten: its sequence numbers, signal and times are wiped; only the
  // generation stays, so that stale pseudonym entries stay invalid.
  const std::uint32_t generation = d.generation + 1;
  hashing::Wipe(&d, sizeof d);
  d.generation = generation;
  d.seq_bucket = -1;
  free_.push_back(index);
}

// Takes the device out of its sequence bucket, so that the buckets hold only
// live devices at their current bucket (what Link scans).
void PeopleEstimator::Unindex(std::uint32_t index) {
  Device& d = devices_[index];
  if (d.seq_bucket < 0) return;
  auto it = by_seq_.find(SeqKey(d.fingerprint, d.seq_bucket));
  d.seq_bucket = -1;
  if (it == by_seq_.end()) return;
  auto& v = it->second;
  auto at = std::find(v.begin(), v.end(), index);
  if (at != v.end()) {
    *at = v.back();
    v.pop_back();
  }
  if (v.empty()) by_seq_.erase(it);
}

void PeopleEstimator::Sweep(std::int64_t end) {
  // Expiry at every window's end, as docs/privacy.md promises: an entry of a
  // pseudonym unseen for visit_gap, or whose device is gone, is dropped (the
  // table is rebuilt and its old array wiped), and so are the burst entries
  // of devices that are gone or have begun another burst (neither is of any
  // use to Link). A rebuild is O(entries) once a window.
  if (pseudonyms_.size() > 0) {
    pseudonyms_.Retain([this, end](std::uint64_t, const PseudonymEntry& e) {
      return Valid(e) && static_cast<std::int64_t>(e.last_s + 1) * 1'000'000 + gap_us_ >= end;
    });
  }
  pseudonyms_compacted_ = pseudonyms_.size();
  for (auto it = bursts_.begin(); it != bursts_.end();) {
    hashing::WipedDeque<BurstEntry>& q = it->second;
    const std::uint64_t fp = it->first;
    const auto live = [this, fp](const BurstEntry& e) {
      const Device& d = devices_[e.device];
      return d.alive && d.fingerprint == fp && d.burst_us == e.burst_us;
    };
    if (!std::all_of(q.begin(), q.end(), live)) {
      // Rebuilt rather than erased in place, so the dropped entries' memory
      // is freed, hence wiped.
      hashing::WipedDeque<BurstEntry> kept;
      std::copy_if(q.begin(), q.end(), std::back_inserter(kept), live);
      q.swap(kept);
    }
    it = q.empty() ? bursts_.erase(it) : std::next(it);
  }
  index_entries_ = 0;
  for (const auto& [key, q] : bursts_) index_entries_ += q.size();
  index_compacted_ = index_entries_;
}

std::size_t PeopleEstimator::tracked_index_entries() const {
  std::size_t n = 0;
  for (const auto& [key, v] : by_seq_) n += v.size();
  for (const auto& [key, q] : bursts_) n += q.size();
  return n;
}

bool PeopleEstimator::FreedSlotsAreWipedForTest() const {
  for (std::uint32_t i : free_) {
    unsigned char bytes[sizeof(Device)];
    std::memcpy(bytes, &devices_[i], sizeof bytes);
    std::memset(bytes + offsetof(Device, generation), 0, sizeof(Device::generation));
    std::memset(bytes + offsetof(Device, seq_bucket), 0, sizeof(Device::seq_bucket));
    for (unsigned char b : bytes) {
      if (b != 0) return false;
    }
  }
  return true;
}

PeopleEstimator::GroupKind PeopleEstimator::KindOf(const Group& g) const {
  const std::uint64_t changes = g.new_macs - g.devices;  // new MACs of known devices
  if (g.new_macs < kGroupEvidence) return GroupKind::kAmbiguous;
  if (g.Followed() < kStrongShare * static_cast<double>(changes)) {
    return GroupKind::kAmbiguous;  // the model resets its sequence numbers
  }
  // Sequence numbers link its MAC changes; one that changes MAC at nearly
  // every burst shows how many MACs a device uses in a window.
  return static_cast<double>(g.new_macs) >= kPerBurstMacs * static_cast<double>(g.devices)
             ? GroupKind::kCalibrating
             : GroupKind::kExact;
}

namespace {
// The most of the spans [first, last] that contain one instant.
std::uint64_t MostAtOnce(const std::vector<std::pair<std::int64_t, std::int64_t>>& spans) {
  std::vector<std::pair<std::int64_t, int>> edges;  // (time, +1 start / -1 end); starts first
  edges.reserve(2 * spans.size());
  for (const auto& [first, last] : spans) {
    edges.emplace_back(first, -1);  // sorted before an end at the same time
    edges.emplace_back(last, 1);
  }
  std::sort(edges.begin(), edges.end());
  std::int64_t open = 0;
  std::int64_t most = 0;
  for (const auto& [time, kind] : edges) {
    open -= kind;
    most = std::max(most, open);
  }
  return static_cast<std::uint64_t>(most);
}
}  // namespace

// Devices whose MAC changes can be followed (global MACs, models that keep
// their sequence counter) are counted as grouped. For models that reset it,
// grouping is a guess: a model whose new MACs all went to one device in the
// window is one device; one that needed several (phones of the model probing
// at once) is estimated as the MACs it used in the window divided by the MACs
// per device per window that its family's one-device models show, else the
// crowd's followable per-burst randomizers and all its one-device models (a
// calibration from the same crowd).
std::uint64_t PeopleEstimator::EstimateWindowDevices(std::int64_t end) {
  std::uint64_t exact = 0;
  std::uint64_t calibration_chains = 0;
  std::uint64_t calibration_macs = 0;
  struct Tally {
    std::uint64_t chains = 0;
    std::uint64_t macs = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;  // each chain's in the window
    std::uint64_t at_once = 0;                                 // the most chains heard at once
    bool single = false;                                       // seen as one device
  };
  std::unordered_map<const Group*, Tally> ambiguous;  // by model (never null)
  Tally unfollowed;
  const hashing::WipedHashSet scanning =
      ScanningModels([this](const Device& d) { return d.window == window_; });
  for (const Device& d : devices_) {
    if (!d.alive || d.window != window_ || !CountedApart(d, scanning)) continue;
    if (!d.randomized) {
      ++exact;
      continue;
    }
    const GroupKind kind = d.group == nullptr ? GroupKind::kExact : KindOf(*d.group);
    if (kind == GroupKind::kAmbiguous) {
      Tally& a = ambiguous[d.group];
      ++a.chains;
      a.macs += d.window_macs;
      a.spans.emplace_back(d.window_first_us, d.last_us);
      continue;
    }
    if (kind == GroupKind::kCalibrating) {
      // Its devices show how many MACs a device uses in a window, but for
      // the single MACs that continued nobody (below): those are not
      // certain devices (docs/accuracy.md: counting them as devices of one
      // MAC brought the calibration down to 1.2-1.5 MACs a device in the
      // quiet shop, where a Galaxy Android 14 shares Android 13's elements).
      if (d.macs > 1) {
        ++calibration_chains;
        calibration_macs += d.window_macs;
      }
      // A single MAC that continued no sequence, in a model of per-burst
      // randomizers that keep their counter: a new arrival, or a phone of
      // another model with the same fingerprint that resets its counter.
      if (d.macs == 1) {
        ++unfollowed.chains;
        unfollowed.macs += d.window_macs;
        continue;
      }
    }
    ++exact;
  }
  std::uint64_t ambiguous_chains = 0;
  std::uint64_t ambiguous_macs = 0;
  std::uint64_t single_macs = 0;
  std::uint64_t single_chains = 0;
  // Of the models of several chains: those with few heard at once (their
  // chains are trusted without a calibration) and the MACs of the others.
  std::uint64_t trusted_chains = 0;
  std::uint64_t trusted_macs = 0;
  std::uint64_t saturated_macs = 0;
  ambiguous_chains += unfollowed.chains;
  ambiguous_macs += unfollowed.macs;
  for (auto it = family_rates_.begin(); it != family_rates_.end();) {
    it->second.Decay(kCalibrationDecay);
    it = it->second.chains < kFamilyForgotten ? family_rates_.erase(it) : std::next(it);
  }
  for (auto& [group, a] : ambiguous) {
    // Chains of the model that follow one another in the window, none
    // heard while another was (one phone silent beyond the weak horizon,
    // then back), could be one device: they count as the most of them
    // heard at once.
    a.at_once = a.chains == 1 ? 1 : MostAtOnce(a.spans);
    // One chain at a time, and no more MACs than one device of the crowd
    // uses: one device, counted, and it shows a device's MACs (its
    // family's too).
    a.single = a.at_once == 1 && (macs_per_device_ <= 0 ||
                                  static_cast<double>(a.macs) <= kOneDevice * macs_per_device_);
    if (!a.single) continue;
    ++exact;
    ++single_chains;
    single_macs += a.macs;
    family_rates_[group->family].Add(static_cast<double>(a.macs), 1);
  }
  // Pooled over recent windows (decaying), so that quiet hours borrow from
  // busier ones. The followable per-burst randomizers are the better
  // witnesses (their devices are certain); without enough of them, the
  // models seen as one device stand in.
  calibration_.Decay(kCalibrationDecay);
  calibration_.Add(static_cast<double>(calibration_macs), static_cast<double>(calibration_chains));
  singles_.Decay(kCalibrationDecay);
  singles_.Add(static_cast<double>(single_macs), static_cast<double>(single_chains));
  if (calibration_.chains >= kCalibrationChains) {
    macs_per_device_ = calibration_.macs / calibration_.chains;
  } else if (singles_.chains >= kCalibrationChains) {
    macs_per_device_ = singles_.macs / singles_.chains;
  }
  // The models of several chains whose family has phones of its own count
  // as their MACs over the family's MACs per phone (pooled over recent
  // windows like the crowd's): phones of one model that carry vendor
  // elements of their own (WPS, UUID) stand apart as models of one device
  // each, and show how many MACs a phone of the model uses. Rates differ by
  // model (Argo's E_test_120: its three crowded models' phones of their own
  // send 105, 30 and 29 MACs on average in the window; every phone seen
  // alone, 36).
  double by_family = 0;
  for (const auto& [group, a] : ambiguous) {
    if (a.single) continue;
    const std::uint64_t at_once = a.at_once;
    if (auto f = family_rates_.find(group->family);
        f != family_rates_.end() && f->second.chains >= kFamilyEvidence && f->second.macs > 0) {
      by_family += static_cast<double>(a.macs) * f->second.chains / f->second.macs;
      continue;
    }
    ambiguous_chains += at_once;
    ambiguous_macs += a.macs;
    if (at_once <= kChainsTrustedAtOnce) {
      trusted_chains += at_once;
      trusted_macs += a.macs;
    } else {
      saturated_macs += a.macs;
    }
  }
  exact += static_cast<std::uint64_t>(std::llround(by_family));
  if (ambiguous_chains == 0) return exact;
  // Without a calibration yet: the chains while they are few (under
  // kCalibrationChains). Beyond, a model's chains are its count while no
  // more than kChainsTrustedAtOnce of them are heard at once (the weak links
  // then see every candidate); a model with more at once (linking saturates:
  // a crowd of one model that resets its counter) is counted as its MACs
  // over the MACs per chain of the trusted models or, with fewer than
  // kTrustedChains of those, over the prior cadence of one burst per
  // kPriorInterval, a new MAC each. The prior is our own simulator's; the
  // Argo simulator's phones send 70-370 MACs in 15 minutes, and counting
  // them by it gave 171 for 20 phones (docs/accuracy.md, argo-like).
  double per_device = macs_per_device_;
  if (per_device <= 0) {
    if (static_cast<double>(ambiguous_chains) < kCalibrationChains) return exact + ambiguous_chains;
    const std::uint64_t rest_macs = unfollowed.macs + saturated_macs;
    if (trusted_chains >= kTrustedChains) {
      per_device = static_cast<double>(trusted_macs) / static_cast<double>(trusted_chains);
    } else {
      const double window_s = static_cast<double>(end - window_start_us_) / 1e6;
      per_device = std::max(1.0, window_s / kPriorInterval);
    }
    return exact + trusted_chains +
           static_cast<std::uint64_t>(std::llround(static_cast<double>(rest_macs) / per_device));
  }
  const double estimate = static_cast<double>(ambiguous_macs) / per_device;
  return exact + static_cast<std::uint64_t>(std::llround(estimate));
}

namespace {
// The kJumpQuantile of a histogram of jumps; kMaxRssiJumpDb without evidence.
template <typename Histogram>
int JumpQuantile(const Histogram& jumps, double seen) {
  if (seen < kJumpEvidence) return kMaxRssiJumpDb;
  double below = 0;
  for (int j = 0; j <= kMaxRssiJumpDb; ++j) {
    below += static_cast<double>(jumps[static_cast<std::size_t>(j)]);
    if (below >= kJumpQuantile * seen) return j;
  }
  return kMaxRssiJumpDb;
}
}  // namespace

void PeopleEstimator::UpdateJumpTolerance() {
  jump_tolerance_ = JumpQuantile(jumps_, jumps_seen_);
  for (double& n : jumps_) n *= kJumpDecay;
  jumps_seen_ *= kJumpDecay;
  for (auto& [fp, g] : groups_) {
    // The model's own evidence; else the crowd's, while it fits the model:
    // refusing most of a model's weak links means its signal moves more
    // than the crowd's (a phone in a pocket beside a steady till).
    g.own_tolerance = -1;
    g.misfit = false;
    if (g.jumps_seen >= kJumpEvidence) {
      g.own_tolerance = JumpQuantile(g.jumps, g.jumps_seen);
    } else {
      double beyond = 0;  // new MACs the crowd's tolerance would leave unlinked
      for (int j = jump_tolerance_ + 1; j <= kMaxRssiJumpDb; ++j) {
        beyond += g.nearest[static_cast<std::size_t>(j)];
      }
      g.misfit = g.nearest_seen >= kMisfitEvidence && beyond > kMisfitShare * g.nearest_seen;
    }
    for (float& n : g.jumps) n *= static_cast<float>(kJumpDecay);
    g.jumps_seen *= static_cast<float>(kJumpDecay);
    for (float& n : g.nearest) n *= static_cast<float>(kJumpDecay);
    g.nearest_seen *= static_cast<float>(kJumpDecay);
  }
}

void PeopleEstimator::CloseWindow(TimePoint when, PeopleReport& out) {
  const std::int64_t end = Micros(when);
  out.estimated_devices = EstimateWindowDevices(end);  // before devices are forgotten
  out.occupancy = SmoothOccupancy(CountOccupancy());
  NoteWhoIsAlone(end);
  window_start_us_ = end;
  UpdateJumpTolerance();
  std::uint64_t visitors = 0;
  std::uint64_t stationary = 0;
  for (std::uint32_t i = 0; i < devices_.size(); ++i) {
    Device& d = devices_[i];
    if (!d.alive) continue;
    if (d.visit_open && d.last_us + gap_us_ < end) CloseVisit(d);
    if (!d.visit_open) {
      Free(i);
      continue;
    }
    if (d.last_us - d.first_us >= stationary_us_ || Fixed(d)) {
      ++stationary;
    } else if (Qualifies(d)) {
      ++visitors;
    }
  }
  Sweep(end);
  fixed_.Expire(end);

  out.visitors = visitors;
  out.stationary = stationary;
  out.arrivals = arrivals_;
  out.departures = departures_;
  out.passersby = passersby_;
  out.visitor_visits = visitor_dwell_s_.size();
  const std::uint64_t classified = out.visitor_visits + out.passersby;
  out.capture_rate.reset();
  if (classified > 0) {
    out.capture_rate = static_cast<double>(out.visitor_visits) / static_cast<double>(classified);
  }
  out.engagement = Engagement{};
  out.dwell_p50_s.reset();
  out.dwell_p90_s.reset();
  if (!visitor_dwell_s_.empty()) {
    std::sort(visitor_dwell_s_.begin(), visitor_dwell_s_.end());
    out.dwell_p50_s = NearestRank(visitor_dwell_s_, 0.5);
    out.dwell_p90_s = NearestRank(visitor_dwell_s_, 0.9);
    for (double s : visitor_dwell_s_) {
      const double m = s / 60.0;
      ++(m < 5     ? out.engagement.under_5m
         : m < 20  ? out.engagement.from_5_to_20m
         : m < 60  ? out.engagement.from_20_to_60m
         : m < 360 ? out.engagement.from_1_to_6h
                   : out.engagement.over_6h);
    }
  }
  out.epoch_start = epoch_start_;
  out.epoch_devices = epoch_devices_.Estimate();
  out.epoch_visitors = epoch_visitors_.Estimate();

  ++window_;
  arrivals_ = departures_ = passersby_ = 0;
  hashing::Wipe(visitor_dwell_s_.data(), visitor_dwell_s_.size() * sizeof(double));
  visitor_dwell_s_.clear();
}

void PeopleEstimator::StartEpoch(TimePoint start, bool keep_devices) {
  epoch_start_ = start;
  epoch_devices_.Clear();
  epoch_visitors_.Clear();
  for (std::uint32_t i = 0; i < devices_.size(); ++i) {
    Device& d = devices_[i];
    if (!d.alive) continue;
    if (keep_devices) {
      epoch_devices_.Add(d.identity);  // present at the start of the epoch
      d.counted_visitor = false;
      continue;
    }
    if (d.visit_open) CloseVisit(d);
    Free(i);
  }
  if (!keep_devices) {
    groups_.clear();
    merged_into_.clear();
    macs_per_device_ = 0;
    calibration_ = singles_ = MacPool{};
    family_rates_.clear();
    jumps_.fill(0);
    jumps_seen_ = 0;
    jump_tolerance_ = kMaxRssiJumpDb;
    pseudonyms_.Clear();
    pseudonyms_compacted_ = index_entries_ = index_compacted_ = 0;
    by_seq_.clear();
    bursts_.clear();
  }
  fixed_.Clear();  // recognised under the retired key: relearnt in this epoch
}

}  // namespace footfall::analytics
