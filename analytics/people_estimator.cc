// Purpose: the estimated-device grouping and visit bookkeeping (see
// people_estimator.h).
//
// Grouping. A pseudonym already known belongs to its device. A new
// randomized pseudonym is linked to an existing device of the same keyed
// model fingerprint that is between bursts (silent for at least
// kMinDormantUs):
//  1. strongly, if its sequence number continues that device's (1..kSeqMaxGap
//     ahead, modulo 4096) within visit_gap: phones that keep their sequence
//     counter across a MAC change. The closest continuation wins.
//  2. weakly otherwise, within weak_horizon: the device of that model that has
//     been silent the longest (its bursts pair with the new MAC's in order),
//     if its signal is within kMaxRssiJumpDb; phones that reset the counter.
// Otherwise it is a new device. Global MACs are their own device.
//
// Visits follow the definitions in window_counter.h. Everything expires with
// the visit: a device is forgotten when its visit closes, a pseudonym when
// unseen for visit_gap, so the tables hold only what the horizon needs.
#include "analytics/people_estimator.h"

#include <algorithm>
#include <cmath>

#include "analytics/window_counter.h"

namespace footfall::analytics {
namespace {

constexpr int kSeqMaxGap = 64;                 // frames sent between two bursts, at most
constexpr int kSeqBucketBits = 5;              // index buckets of 32 sequence numbers
constexpr int kSeqBuckets = 4096 >> kSeqBucketBits;
constexpr std::int64_t kMinDormantUs = 1'000'000;  // a burst lasts less than 1 s
constexpr std::int64_t kWeakHorizonUs = 180'000'000;
constexpr int kMaxRssiJumpDb = 20;
constexpr std::size_t kWeakScan = 16;  // live burst entries examined per weak link

std::int64_t Micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// Nearest-rank percentile of sorted values (p in (0, 1]).
double NearestRank(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p * n));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

PeopleEstimator::PeopleEstimator(PeopleOptions options)
    : options_(options),
      gap_us_(std::chrono::duration_cast<std::chrono::microseconds>(options.visit_gap).count()),
      weak_horizon_us_(std::min(gap_us_, kWeakHorizonUs)) {
  pseudonyms_.reserve(4096);
}

std::uint64_t PeopleEstimator::SeqKey(std::uint64_t fingerprint, int bucket) {
  return Mix64(fingerprint ^ static_cast<std::uint64_t>(bucket));
}

void PeopleEstimator::OnProbe(TimePoint when, const hashing::Pseudonym& who,
                              const ProbeTraits& traits, std::optional<int> signal_dbm) {
  const std::int64_t t = std::max(Micros(when), latest_us_);
  latest_us_ = t;
  std::uint32_t index = kNone;
  auto it = pseudonyms_.find(who.value);
  if (it != pseudonyms_.end()) {
    const Device& d = devices_[it->second.device];
    if (d.alive && d.generation == it->second.generation) index = it->second.device;
  }
  if (index == kNone) {
    if (who.has_carried) {  // the same MAC under the previous key (carry-over)
      auto carried = pseudonyms_.find(who.carried);
      if (carried != pseudonyms_.end()) {
        const Device& d = devices_[carried->second.device];
        if (d.alive && d.generation == carried->second.generation) {
          index = carried->second.device;
        }
      }
    }
    if (index == kNone && who.randomized) index = Link(t, traits, signal_dbm);
    if (index == kNone) index = NewDevice(t, who, traits);
    PseudonymEntry& entry = pseudonyms_[who.value];
    entry.device = index;
    entry.generation = devices_[index].generation;
    entry.last_us = t;
  } else {
    it->second.last_us = t;
  }
  Touch(index, t, traits, signal_dbm);
}

std::uint32_t PeopleEstimator::Link(std::int64_t t, const ProbeTraits& traits,
                                    std::optional<int> signal) {
  const std::uint64_t fp = traits.fingerprint;
  // 1. Sequence-number continuity.
  std::uint32_t best = kNone;
  int best_gap = kSeqMaxGap + 1;
  int last_bucket = -1;
  for (int back = 1; back <= kSeqMaxGap; back += 1 << kSeqBucketBits) {
    for (int edge : {back, std::min(back + (1 << kSeqBucketBits) - 1, kSeqMaxGap)}) {
      const int bucket = ((traits.sequence - edge) & 0xFFF) >> kSeqBucketBits;
      if (bucket == last_bucket) continue;
      last_bucket = bucket;
      auto it = by_seq_.find(SeqKey(fp, bucket));
      if (it == by_seq_.end()) continue;
      for (std::uint32_t i : it->second) {
        const Device& d = devices_[i];
        if (!d.alive || !d.randomized || d.fingerprint != fp || d.seq_bucket != bucket) continue;
        const int gap = (traits.sequence - d.last_seq) & 0xFFF;
        if (gap < 1 || gap > kSeqMaxGap) continue;
        if (t - d.last_us < kMinDormantUs || t - d.last_us > gap_us_) continue;
        if (gap < best_gap) {
          best_gap = gap;
          best = i;
        }
      }
    }
  }
  if (best != kNone) return best;
  // 2. The longest-silent device of the model, within the weak horizon.
  auto q = bursts_.find(fp);
  if (q == bursts_.end()) return kNone;
  std::deque<BurstEntry>& entries = q->second;
  auto live = [this, fp](const BurstEntry& e) {
    const Device& d = devices_[e.device];
    return d.alive && d.fingerprint == fp && d.burst_us == e.burst_us;
  };
  while (!entries.empty() && (!live(entries.front()) ||
                              t - devices_[entries.front().device].last_us > weak_horizon_us_)) {
    entries.pop_front();
  }
  std::size_t examined = 0;
  for (const BurstEntry& e : entries) {
    if (examined == kWeakScan) break;
    if (!live(e)) continue;
    ++examined;
    const Device& d = devices_[e.device];
    if (t - d.last_us < kMinDormantUs || t - d.last_us > weak_horizon_us_) continue;
    if (signal && d.has_rssi && std::abs(*signal - d.last_rssi) > kMaxRssiJumpDb) continue;
    return e.device;
  }
  return kNone;
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
  return index;
}

bool PeopleEstimator::Qualifies(const Device& d) const {
  const std::int64_t duration = d.last_us - d.first_us;
  const auto min_visit = std::chrono::duration_cast<std::chrono::microseconds>(options_.min_visit);
  const auto stationary =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.stationary_after);
  return d.max_rssi >= options_.visitor_rssi_dbm && duration >= min_visit.count() &&
         duration < stationary.count();
}

void PeopleEstimator::Touch(std::uint32_t index, std::int64_t t, const ProbeTraits& traits,
                            std::optional<int> signal) {
  Device& d = devices_[index];
  if (d.window != window_) {
    d.window = window_;
    ++estimated_;
  }
  if (d.visit_open && t - d.last_us > gap_us_) CloseVisit(d);
  const bool new_burst = !d.visit_open || t - d.last_us >= kMinDormantUs;
  if (!d.visit_open) {
    d.visit_open = true;
    d.first_us = t;
    d.max_rssi = kNoSignal;
    d.counted_visitor = false;
    ++arrivals_;
  }
  d.last_us = t;
  if (signal) {
    d.last_rssi = static_cast<std::int16_t>(*signal);
    d.has_rssi = true;
    d.max_rssi = std::max<std::int16_t>(d.max_rssi, d.last_rssi);
  }
  if (!d.counted_visitor && Qualifies(d)) {
    d.counted_visitor = true;
    epoch_visitors_.Add(d.identity);
  }
  if (!d.randomized) return;
  d.last_seq = traits.sequence;
  const auto bucket = static_cast<std::int16_t>(traits.sequence >> kSeqBucketBits);
  if (bucket != d.seq_bucket) {
    d.seq_bucket = bucket;
    by_seq_[SeqKey(d.fingerprint, bucket)].push_back(index);
  }
  if (new_burst) {
    d.burst_us = t;
    bursts_[d.fingerprint].push_back(BurstEntry{index, t});
  }
}

void PeopleEstimator::CloseVisit(Device& d) {
  d.visit_open = false;
  ++departures_;
  const std::int64_t duration = d.last_us - d.first_us;
  if (duration >= std::chrono::duration_cast<std::chrono::microseconds>(options_.stationary_after)
                      .count()) {
    ++stationary_closed_;
  } else if (Qualifies(d)) {
    visitor_dwell_s_.push_back(static_cast<double>(duration) / 1e6);
  } else {
    ++passersby_;
  }
}

void PeopleEstimator::Free(std::uint32_t index) {
  Device& d = devices_[index];
  d.alive = false;
  ++d.generation;
  free_.push_back(index);
}

void PeopleEstimator::Sweep(std::int64_t end) {
  for (auto it = pseudonyms_.begin(); it != pseudonyms_.end();) {
    const Device& d = devices_[it->second.device];
    const bool stale = !d.alive || d.generation != it->second.generation;
    it = stale || it->second.last_us + gap_us_ < end ? pseudonyms_.erase(it) : std::next(it);
  }
  for (auto it = by_seq_.begin(); it != by_seq_.end();) {
    std::vector<std::uint32_t>& v = it->second;
    const std::uint64_t key = it->first;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [this, key](std::uint32_t i) {
                             const Device& d = devices_[i];
                             return !d.alive || SeqKey(d.fingerprint, d.seq_bucket) != key;
                           }),
            v.end());
    it = v.empty() ? by_seq_.erase(it) : std::next(it);
  }
  for (auto it = bursts_.begin(); it != bursts_.end();) {
    std::deque<BurstEntry>& q = it->second;
    const std::uint64_t fp = it->first;
    q.erase(std::remove_if(q.begin(), q.end(),
                           [this, fp](const BurstEntry& e) {
                             const Device& d = devices_[e.device];
                             return !d.alive || d.fingerprint != fp || d.burst_us != e.burst_us;
                           }),
            q.end());
    it = q.empty() ? bursts_.erase(it) : std::next(it);
  }
}

void PeopleEstimator::CloseWindow(TimePoint when, PeopleReport& out) {
  const std::int64_t end = Micros(when);
  const auto stationary_us =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.stationary_after).count();
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
    if (d.last_us - d.first_us >= stationary_us) {
      ++stationary;
    } else if (Qualifies(d)) {
      ++visitors;
    }
  }
  Sweep(end);

  out.estimated_devices = estimated_;
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
      ++(m < 5      ? out.engagement.under_5m
         : m < 20   ? out.engagement.from_5_to_20m
         : m < 60   ? out.engagement.from_20_to_60m
         : m < 360  ? out.engagement.from_1_to_6h
                    : out.engagement.over_6h);
    }
  }
  out.epoch_start = epoch_start_;
  out.epoch_devices = epoch_devices_.Estimate();
  out.epoch_visitors = epoch_visitors_.Estimate();

  ++window_;
  estimated_ = arrivals_ = departures_ = passersby_ = stationary_closed_ = 0;
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
    pseudonyms_.clear();
    by_seq_.clear();
    bursts_.clear();
  }
}

}  // namespace footfall::analytics
