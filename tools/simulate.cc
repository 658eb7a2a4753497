// Purpose: `simulate` writes a synthetic but realistic day at a shop as a
// radiotap pcap (DLT 127, microsecond timestamps, records in time order) plus
// a ground-truth JSON (schema footfall.truth/1) computed from the true device
// identity of every valid probe request written. The truth uses footfalld's
// definitions of visits, visitors, passers-by, dwell and windows, implemented
// here independently of analytics/ (it is the oracle the daemon is measured
// against: scripts/accuracy, tests/tools/). Deterministic for a seed.
//
// Population (numbers and sources):
//  - Passers-by outside the window: present 30–150 s (a walk past a shop
//    front at ~1.3 m/s within radio range), peak signal mostly −90…−72 dBm.
//  - Visitors: dwell lognormal, median 15 min, p90 45 min (sigma = ln 3 /
//    1.2816), which makes ~10% "bounces" under 5 min, as retail analytics
//    vendors report (Meraki's engagement buckets start at 5 min); signal
//    −78…−45 dBm inside, 85% of them with a level above −68 dBm.
//  - Staff: a shift of 8–11 h starting within the first 45 min, inside.
//  - Fixed equipment: the whole period, global MAC, −62…−42 dBm.
//  - Arrivals Poisson, by default shaped by a retail day profile (lunch and
//    after-work peaks) normalised so the per-hour rates are the averages.
//  - Per-frame signal noise: normal, sd 3 dB (2 dB for fixed devices); a
//    frame below ~−90 dBm is increasingly often not received (sensitivity
//    around −95 dBm), and 3% of frames are lost anyway (collisions).
// The device models and their probing behaviour: tools/sim_models.h.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_order.h"
#include "base/crc32.h"
#include "base/utc_time.h"
#include "sim_models.h"

namespace footfall::sim {
namespace {

constexpr std::int64_t kUs = 1000000;
// What makes the crowd harder than a phone per model and a calm signal, as
// the Argo simulator and real captures show (docs/accuracy.md):
// - a per-burst randomizer changes its MAC between two channels of one burst
//   in this share of bursts (real phones do; Argo's change at every burst);
constexpr double kMidBurstChange = 0.10;
// - a phone scans again 0.2-2 s after a scan in this share of scans (Argo's
//   phones: bursts 0.1-4 s apart half of the time);
constexpr double kRescan = 0.15;
// - each burst's signal moves by a normal offset of this sd (body, hand,
//   orientation; Argo draws the path loss anew per burst, 11 dB median jump).
constexpr double kBurstShadowDb = 3.0;

struct Params {
  std::uint64_t seed = 1;
  std::string start = "2026-11-24T08:00:00Z";
  double hours = 12;
  double visitors_per_hour = 60;
  double passersby_per_hour = 300;
  int staff = 4;
  int fixed = 3;
  double randomized_share = 0.9;
  double malformed_share = 0.002;
  int window_s = 300;
  int visit_gap_s = 300;
  int visitor_rssi_dbm = -70;
  int min_visit_s = 300;
  int stationary_after_s = 21600;
  std::string profile = "retail";
  std::string preset;
  std::string out = "day.pcap";
  std::string truth = "day.json";
  bool truth_visits = false;
  // A crowd of this many phones of one model (crowd_model), all present for
  // the whole period (arriving in its first minute) and nobody else.
  int crowd = 0;
  std::string crowd_model = "apple-iphone-ios17";
};

enum class Kind : std::uint8_t { kPasserby, kVisitor, kStaff, kFixed };
const char* KindName(Kind k) {
  switch (k) {
    case Kind::kPasserby:
      return "passerby";
    case Kind::kVisitor:
      return "visitor";
    case Kind::kStaff:
      return "staff";
    case Kind::kFixed:
      return "fixed";
  }
  return "?";
}

enum class VisitKind : std::uint8_t { kPasserby, kVisitor, kStationary };
const char* VisitKindName(VisitKind k) {
  switch (k) {
    case VisitKind::kPasserby:
      return "passerby";
    case VisitKind::kVisitor:
      return "visitor";
    case VisitKind::kStationary:
      return "stationary";
  }
  return "?";
}

struct Device {
  std::uint16_t model = 0;
  Kind kind = Kind::kPasserby;
  std::int64_t arrive = 0, leave = 0;  // µs since the epoch
  // Signal: passers-by peak at t_mid; the others sit at `level` with a slow drift.
  float level = -60, drift_amp = 0, drift_period_s = 600, drift_phase = 0;
  std::int64_t t_mid = 0;
  std::int16_t directed_ssid = -1;
  // Probing state.
  std::int64_t next = 0, burst_start = 0, mac_expires = 0;
  std::uint8_t chan = 0, left_on_chan = 0;
  bool burst_directed = false;
  std::uint16_t seq = 0;
  float shadow = 0;  // this burst's signal offset, dB
  std::uint8_t mac[6] = {};
  std::uint32_t macs_used = 0;
  // Truth.
  bool heard = false, mac_heard = false, epoch_visitor = false;
  std::int32_t dev_win = -1, mac_win = -1;
  bool open = false, in_active = false;
  std::int64_t vfirst = 0, vlast = 0;
  int vmax = -128;
  std::uint32_t vframes = 0;
};

struct Window {
  std::int64_t start_us = 0;
  bool partial = false;
  std::int64_t evaluated_at = 0;
  std::uint64_t probe_requests = 0, devices = 0, distinct_macs = 0;
  std::uint64_t visitors = 0, stationary = 0, arrivals = 0, departures = 0, passersby = 0,
                visitor_visits = 0;
  std::vector<std::int64_t> dwell_us;
  std::uint64_t epoch_devices = 0, epoch_visitors = 0;
};

std::int64_t ParseRfc3339(const std::string& s) {
  int y, mo, d, h, mi, se;
  char z = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 ||
      z != 'Z') {
    throw CLI::ValidationError("--start", "expected YYYY-MM-DDTHH:MM:SSZ, got " + s);
  }
  return std::chrono::duration_cast<std::chrono::microseconds>(
             Utc(y, mo, d, h, mi, se).time_since_epoch())
      .count();
}

std::string Rfc3339(std::int64_t us) {
  std::time_t s = static_cast<std::time_t>(us / kUs);
  struct tm t {};
  gmtime_r(&s, &t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &t);
  return buf;
}

// Retail footfall by hour of day (UTC taken as local time), relative: quiet
// mornings, a lunch peak and an after-work peak — the shape of the hourly
// footfall curves UK and German city-centre counters publish.
double RetailProfile(std::int64_t us) {
  static const double kByHour[24] = {0.05, 0.03, 0.02, 0.02, 0.03, 0.05, 0.15, 0.3,
                                     0.5,  0.7,  0.9,  1.1,  1.4,  1.3,  1.0,  1.0,
                                     1.2,  1.5,  1.4,  1.0,  0.6,  0.3,  0.15, 0.08};
  const std::int64_t day_us = 86400 * kUs;
  const std::int64_t in_day = ((us % day_us) + day_us) % day_us;
  return kByHour[in_day / (3600 * kUs)];
}

// Buffered pcap writer (classic pcap, microsecond timestamps).
class PcapWriter {
 public:
  explicit PcapWriter(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {
    if (f_ == nullptr) throw std::runtime_error("cannot write " + path);
    buf_.resize(8 << 20);
    const std::uint32_t hdr[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 127};
    std::memcpy(buf_.data(), hdr, sizeof hdr);  // little-endian host (x86-64/arm64)
    pos_ = sizeof hdr;
  }
  ~PcapWriter() { Close(); }
  // Room for one record of up to 1024 bytes; returns where to write it.
  std::uint8_t* Reserve() {
    if (pos_ + 1024 > buf_.size()) Flush();
    return buf_.data() + pos_;
  }
  void Commit(std::size_t n) { pos_ += n; }
  void Close() {
    if (f_ == nullptr) return;
    Flush();
    if (std::fclose(f_) != 0) throw std::runtime_error("write error");
    f_ = nullptr;
  }

 private:
  void Flush() {
    if (pos_ > 0 && std::fwrite(buf_.data(), 1, pos_, f_) != pos_) {
      throw std::runtime_error("write error");
    }
    pos_ = 0;
  }
  std::FILE* f_;
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
};

// A bijection of [0, 2^bits) keyed by the seed: addresses drawn from a counter
// through it look random and can never collide.
std::uint64_t Permute(std::uint64_t x, std::uint64_t key, int bits) {
  const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
  x = (x ^ key) & mask;
  for (int r = 0; r < 3; ++r) {
    x = (x * 0x9E3779B97F4A7C15ull) & mask;  // odd multiplier: bijective mod 2^bits
    x ^= x >> (bits / 2 + 1);
    x = (x + (key >> (8 * r))) & mask;
  }
  return x;
}

constexpr std::size_t kRadiotapLen = 23;
constexpr std::size_t kHdr80211 = 24;
const char* const kSsids[] = {"HomeWiFi-5G",   "eduroam",         "FRITZ!Box 7590 XL",
                              "Vodafone-3A4C", "iPhone de Marie", "Starbucks WiFi",
                              "TP-Link_2F10",  "Livebox-8C21"};
constexpr int kNumSsids = 8;

class Simulator {
 public:
  explicit Simulator(const Params& p)
      : p_(p),
        rng_(p.seed),
        models_(BuildModels()),
        start_(ParseRfc3339(p.start)),
        end_(start_ + static_cast<std::int64_t>(p.hours * 3600.0 * kUs)),
        win_us_(static_cast<std::int64_t>(p.window_s) * kUs),
        gap_us_(static_cast<std::int64_t>(p.visit_gap_s) * kUs),
        min_visit_us_(static_cast<std::int64_t>(p.min_visit_s) * kUs),
        stationary_us_(static_cast<std::int64_t>(p.stationary_after_s) * kUs) {
    mac_key_ = rng_.Bits();
    tsf_offset_ = static_cast<std::int64_t>(rng_.Below(3600ull * 24 * 30) * kUs);
  }

  void Run() {
    MakePopulation();
    PcapWriter w(p_.out);
    writer_ = &w;
    using Entry = std::pair<std::int64_t, std::uint32_t>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    for (std::uint32_t i = 0; i < devices_.size(); ++i) {
      Device& d = devices_[i];
      const Model& m = models_[d.model];
      const std::int64_t first =
          d.arrive + static_cast<std::int64_t>(rng_.U() * m.burst_mean_s * kUs);
      if (first >= d.leave || first >= end_ || first < start_) continue;
      StartBurst(d, first);
      heap.emplace(d.next, i);
    }
    while (!heap.empty()) {
      const auto [t, i] = heap.top();
      heap.pop();
      Device& d = devices_[i];
      EmitFrame(d, i, t);
      if (Advance(d)) heap.emplace(d.next, i);
    }
    if (have_frames_) {
      Window& last = windows_.back();
      last.partial = true;
      Finalize(last_t_ + 1, windows_.size() - 1);
    }
    w.Close();
    writer_ = nullptr;
    // Visits still open at the end are not closed; classified on their sightings.
    for (std::uint32_t i = 0; i < devices_.size(); ++i) {
      Device& d = devices_[i];
      if (!d.open) continue;
      VisitKind k = Classify(d.vmax, d.vlast - d.vfirst);
      CountKind(k);
      if (k == VisitKind::kVisitor) MarkEpochVisitor(d);
      LogVisit(d, i, k, false);
    }
  }

  void WriteTruth() const {
    using nlohmann::ordered_json;
    ordered_json j;
    j["schema"] = "footfall.truth/1";
    ordered_json params;
    params["seed"] = p_.seed;
    params["preset"] = p_.preset.empty() ? ordered_json(nullptr) : ordered_json(p_.preset);
    params["start"] = p_.start;
    params["hours"] = p_.hours;
    params["visitors_per_hour"] = p_.visitors_per_hour;
    params["passersby_per_hour"] = p_.passersby_per_hour;
    params["staff"] = p_.staff;
    params["fixed"] = p_.fixed;
    params["randomized_share"] = p_.randomized_share;
    params["malformed_share"] = p_.malformed_share;
    if (p_.crowd > 0) params["crowd"] = {{"phones", p_.crowd}, {"model", p_.crowd_model}};
    params["window_s"] = p_.window_s;
    params["visit_gap_s"] = p_.visit_gap_s;
    params["visitor_rssi_dbm"] = p_.visitor_rssi_dbm;
    params["min_visit_s"] = p_.min_visit_s;
    params["stationary_after_s"] = p_.stationary_after_s;
    params["profile"] = p_.profile;
    j["params"] = params;

    std::uint64_t heard_rand = 0, heard_nonfixed = 0;
    std::uint64_t people[4] = {0, 0, 0, 0};
    for (const Device& d : devices_) {
      people[static_cast<int>(d.kind)]++;
      if (!d.heard || d.kind == Kind::kFixed) continue;
      heard_nonfixed++;
      if (models_[d.model].policy != MacPolicy::kGlobal) heard_rand++;
    }
    ordered_json pop;
    pop["simulated"] = {{"passersby", people[0]},
                        {"visitors", people[1]},
                        {"staff", people[2]},
                        {"fixed", people[3]}};
    pop["heard_non_fixed"] = heard_nonfixed;
    pop["heard_randomized"] = heard_rand;
    pop["randomized_share_heard"] =
        heard_nonfixed ? static_cast<double>(heard_rand) / heard_nonfixed : 0.0;
    j["population"] = pop;

    ordered_json totals;
    totals["frames"] = frames_;
    totals["probe_requests"] = valid_;
    totals["malformed"] = malformed_[0] + malformed_[1] + malformed_[2] + malformed_[3];
    totals["malformed_by_kind"] = {{"bad_fcs", malformed_[0]},
                                   {"ie_cut_bad_fcs", malformed_[1]},
                                   {"header_truncated", malformed_[2]},
                                   {"radiotap_beyond_frame", malformed_[3]}};
    totals["devices"] = devices_heard_;
    totals["distinct_macs"] = distinct_macs_;
    totals["visits"] = visits_total_;
    totals["visitors"] = kinds_[1];
    totals["passersby"] = kinds_[0];
    totals["stationary"] = kinds_[2];
    j["totals"] = totals;

    j["epoch"] = {{"devices", devices_heard_}, {"visitors", epoch_visitors_}};

    ordered_json wins = ordered_json::array();
    for (const Window& w : windows_) {
      ordered_json o;
      o["start"] = Rfc3339(w.start_us);
      o["end"] = Rfc3339(w.start_us + win_us_);
      o["partial"] = w.partial;
      if (w.partial) o["evaluated_at_us"] = w.evaluated_at;
      o["probe_requests"] = w.probe_requests;
      o["devices"] = w.devices;
      o["distinct_macs"] = w.distinct_macs;
      o["visitors"] = w.visitors;
      o["stationary"] = w.stationary;
      o["arrivals"] = w.arrivals;
      o["departures"] = w.departures;
      o["passersby"] = w.passersby;
      o["visitor_visits"] = w.visitor_visits;
      const std::uint64_t denom = w.visitor_visits + w.passersby;
      o["capture_rate"] = denom ? ordered_json(static_cast<double>(w.visitor_visits) / denom)
                                : ordered_json(nullptr);
      std::vector<std::int64_t> dw = w.dwell_us;
      std::sort(dw.begin(), dw.end());
      const std::size_t n = dw.size();
      if (n == 0) {
        o["dwell_p50_s"] = nullptr;
        o["dwell_p90_s"] = nullptr;
      } else {
        // Nearest rank, 1-based: ceil(0.5 n), ceil(0.9 n) in integers.
        o["dwell_p50_s"] = static_cast<double>(dw[(n + 1) / 2 - 1]) / kUs;
        o["dwell_p90_s"] = static_cast<double>(dw[(9 * n + 9) / 10 - 1]) / kUs;
      }
      o["epoch"] = {{"devices", w.epoch_devices}, {"visitors", w.epoch_visitors}};
      wins.push_back(std::move(o));
    }
    j["windows"] = std::move(wins);
    if (p_.truth_visits) j["visits"] = visits_;

    ordered_json models = ordered_json::array();
    for (const Model& m : models_) {
      models.push_back(
          {{"name", m.name}, {"mac_policy", MacPolicyName(m.policy)}, {"weight", m.weight}});
    }
    j["models"] = std::move(models);

    std::FILE* f = std::fopen(p_.truth.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot write " + p_.truth);
    const std::string text = j.dump(1) + "\n";
    if (std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0) {
      throw std::runtime_error("write error: " + p_.truth);
    }
  }

  std::uint64_t frames() const { return frames_; }
  std::uint64_t valid() const { return valid_; }
  std::uint64_t devices_heard() const { return devices_heard_; }
  std::size_t devices_simulated() const { return devices_.size(); }
  std::uint64_t distinct_macs() const { return distinct_macs_; }
  std::size_t windows() const { return windows_.size(); }

 private:
  // ---- Population ------------------------------------------------------------
  std::uint16_t PickModel(ModelClass cls) {
    std::vector<double> w;
    std::vector<std::uint16_t> idx;
    for (std::uint16_t i = 0; i < models_.size(); ++i) {
      if (models_[i].cls == cls) {
        w.push_back(models_[i].weight);
        idx.push_back(i);
      }
    }
    return idx[rng_.Weighted(w)];
  }
  std::uint16_t PickPersonModel() {
    return PickModel(rng_.Chance(p_.randomized_share) ? ModelClass::kRandomizing
                                                      : ModelClass::kGlobal);
  }

  void InitDevice(Device& d) {
    const Model& m = models_[d.model];
    if (rng_.Chance(m.directed_share))
      d.directed_ssid = static_cast<std::int16_t>(rng_.Below(kNumSsids));
    d.seq = static_cast<std::uint16_t>(rng_.Below(4096));
    d.drift_amp = static_cast<float>(rng_.U(1, 5));
    d.drift_period_s = static_cast<float>(rng_.U(300, 1800));
    d.drift_phase = static_cast<float>(rng_.U(0, 6.283185307179586));
  }

  // Arrival times of a Poisson process of `per_hour` on average over the
  // period, shaped by the day profile (thinning).
  std::vector<std::int64_t> Arrivals(double per_hour) {
    std::vector<std::int64_t> out;
    if (per_hour <= 0) return out;
    const bool flat = p_.profile == "flat";
    double mean = 1.0, peak = 1.0;
    if (!flat) {
      double sum = 0;
      int n = 0;
      peak = 0;
      for (std::int64_t t = start_; t < end_; t += 60 * kUs, ++n) {
        sum += RetailProfile(t);
        peak = std::max(peak, RetailProfile(t));
      }
      mean = n ? sum / n : 1.0;
      if (mean <= 0) return out;
    }
    const double rate_max_per_us = per_hour * (peak / mean) / (3600.0 * kUs);
    double t = static_cast<double>(start_);
    while (true) {
      t += rng_.Exp(1.0 / rate_max_per_us);
      if (t >= static_cast<double>(end_)) break;
      const auto ti = static_cast<std::int64_t>(t);
      if (flat || rng_.U() < RetailProfile(ti) / peak) out.push_back(ti);
    }
    return out;
  }

  void MakePopulation() {
    if (p_.crowd > 0) {
      std::uint16_t model = 0;
      while (model < models_.size() && models_[model].name != p_.crowd_model) ++model;
      if (model == models_.size()) throw std::runtime_error("unknown model " + p_.crowd_model);
      for (int i = 0; i < p_.crowd; ++i) {
        Device d;
        d.kind = Kind::kVisitor;
        d.model = model;
        d.arrive = start_ + static_cast<std::int64_t>(rng_.U(0, 60.0) * kUs);
        d.leave = end_;
        d.level = static_cast<float>(rng_.U(-78, -45));
        InitDevice(d);
        devices_.push_back(d);
      }
      return;
    }
    for (int i = 0; i < p_.fixed; ++i) {
      Device d;
      d.kind = Kind::kFixed;
      d.model = PickModel(ModelClass::kFixed);
      d.arrive = start_;
      d.leave = end_;
      d.level = static_cast<float>(rng_.U(-62, -42));
      InitDevice(d);
      d.drift_amp = 0;
      devices_.push_back(d);
    }
    for (int i = 0; i < p_.staff; ++i) {
      Device d;
      d.kind = Kind::kStaff;
      d.model = PickPersonModel();
      d.arrive = start_ + static_cast<std::int64_t>(rng_.U(0, 45 * 60.0) * kUs);
      d.leave = std::min(end_, d.arrive + static_cast<std::int64_t>(rng_.U(8, 11) * 3600 * kUs));
      d.level = static_cast<float>(rng_.U(-65, -45));
      InitDevice(d);
      devices_.push_back(d);
    }
    // Visitors: dwell lognormal, median 15 min, p90 45 min; 1 min .. 4 h.
    const double sigma = std::log(3.0) / 1.2815515655446004;
    for (std::int64_t a : Arrivals(p_.visitors_per_hour)) {
      Device d;
      d.kind = Kind::kVisitor;
      d.model = PickPersonModel();
      d.arrive = a;
      const double dwell_s = std::clamp(rng_.LogNormal(900, sigma), 60.0, 4 * 3600.0);
      d.leave = a + static_cast<std::int64_t>(dwell_s * kUs);
      d.level = static_cast<float>(rng_.Chance(0.85) ? rng_.U(-68, -45) : rng_.U(-78, -68));
      InitDevice(d);
      devices_.push_back(d);
    }
    for (std::int64_t a : Arrivals(p_.passersby_per_hour)) {
      Device d;
      d.kind = Kind::kPasserby;
      d.model = PickPersonModel();
      d.arrive = a;
      d.leave = a + static_cast<std::int64_t>(rng_.U(30, 150) * kUs);
      d.t_mid = (d.arrive + d.leave) / 2;
      d.level = static_cast<float>(rng_.Chance(0.9) ? rng_.U(-90, -72) : rng_.U(-72, -62));
      InitDevice(d);
      devices_.push_back(d);
    }
  }

  // ---- Probing -------------------------------------------------------------
  void NewMac(Device& d) {
    const Model& m = models_[d.model];
    d.macs_used++;
    d.mac_heard = false;
    d.mac_win = -1;
    if (m.policy == MacPolicy::kGlobal) {
      const std::uint64_t x =
          Permute(static_cast<std::uint64_t>(&d - devices_.data()), mac_key_, 24);
      d.mac[0] = m.oui[0];
      d.mac[1] = m.oui[1];
      d.mac[2] = m.oui[2];
      d.mac[3] = static_cast<std::uint8_t>(x >> 16);
      d.mac[4] = static_cast<std::uint8_t>(x >> 8);
      d.mac[5] = static_cast<std::uint8_t>(x);
      return;
    }
    // Locally administered (0x02 set), unicast (0x01 clear), 46 random bits.
    const std::uint64_t x = Permute(random_macs_++, mac_key_ >> 7, 46);
    d.mac[0] = static_cast<std::uint8_t>(((x >> 40) & 0x3f) << 2 | 0x02);
    for (int k = 1; k < 6; ++k) d.mac[k] = static_cast<std::uint8_t>(x >> (8 * (5 - k)));
    switch (m.seq) {
      case SeqOnChange::kContinue:
        break;
      case SeqOnChange::kReset0:
        d.seq = 0;
        break;
      case SeqOnChange::kRandom:
        d.seq = static_cast<std::uint16_t>(rng_.Below(4096));
        break;
    }
  }

  std::uint8_t FramesOnChannel(const Model& m) {
    const double r = rng_.U();
    if (r < m.per_channel[0]) return 1;
    if (r < m.per_channel[0] + m.per_channel[1]) return 2;
    return 3;
  }

  void StartBurst(Device& d, std::int64_t t) {
    const Model& m = models_[d.model];
    const bool first = d.macs_used == 0;
    if (first || m.policy == MacPolicy::kPerBurst ||
        (m.policy == MacPolicy::kRotating && t >= d.mac_expires)) {
      NewMac(d);
      if (m.policy == MacPolicy::kRotating) {
        // A rotating address started at a random point of its lifetime.
        const std::int64_t life = static_cast<std::int64_t>(m.rotate_min) * 60 * kUs;
        d.mac_expires = first ? t + static_cast<std::int64_t>(rng_.U() * life) : t + life;
      }
    }
    d.burst_start = t;
    d.shadow = d.kind == Kind::kFixed ? 0.0f : static_cast<float>(kBurstShadowDb * rng_.Normal());
    d.next = t;
    d.chan = 0;
    d.left_on_chan = FramesOnChannel(m);
    d.burst_directed = d.directed_ssid >= 0 && rng_.Chance(0.3);
  }

  // Interval to the next scan: exponential-ish around the model's mean while
  // the phone is in use (at least 0.4 of the mean), or a screen-off pause.
  std::int64_t Interval(const Device& d) {
    const Model& m = models_[d.model];
    double s;
    if (d.kind == Kind::kFixed) {
      s = m.burst_mean_s * rng_.U(0.8, 1.2);
    } else if (rng_.Chance(kRescan)) {
      s = rng_.U(0.2, 2.0) + 0.35;  // from the start of a ~0.35 s burst
    } else if (rng_.Chance(m.quiet_prob)) {
      s = rng_.U(m.quiet_min_s, m.quiet_max_s);
    } else {
      s = m.burst_mean_s * (0.4 + 0.6 * rng_.Exp(1.0));
    }
    return static_cast<std::int64_t>(s * kUs);
  }

  // Moves to the device's next frame; false when it has no more.
  bool Advance(Device& d) {
    const Model& m = models_[d.model];
    if (--d.left_on_chan > 0) {
      d.next += static_cast<std::int64_t>(rng_.U(1000, 3000));  // 1–3 ms apart
    } else if (++d.chan < 3) {
      // Channels 2–5 (or 7–10) are swept in between, ~20 ms each.
      d.left_on_chan = FramesOnChannel(m);
      d.next += static_cast<std::int64_t>(rng_.U(80000, 120000));
      if (m.policy == MacPolicy::kPerBurst && rng_.Chance(kMidBurstChange)) NewMac(d);
    } else {
      const std::int64_t nb = d.burst_start + Interval(d);
      if (nb >= d.leave || nb >= end_) return false;
      StartBurst(d, nb);
    }
    return d.next < end_;
  }

  int Signal(const Device& d, std::int64_t t) {
    double s;
    switch (d.kind) {
      case Kind::kPasserby: {
        const double half = std::max<double>(1.0, static_cast<double>(d.leave - d.arrive) / 2);
        s = d.level - 20.0 * std::fabs(static_cast<double>(t - d.t_mid)) / half;
        s += 3.0 * rng_.Normal();
        break;
      }
      case Kind::kFixed:
        s = d.level + 2.0 * rng_.Normal();
        break;
      default: {
        const double since = static_cast<double>(t - d.arrive) / kUs;
        const double until = static_cast<double>(d.leave - t) / kUs;
        s = d.level +
            d.drift_amp * std::sin(6.283185307179586 * since / d.drift_period_s + d.drift_phase);
        // Walking in from the door and out again: 20 s ramps from 15 dB lower.
        if (since < 20) s -= 15.0 * (1.0 - since / 20.0);
        if (until < 20 && until > 0) s -= 15.0 * (1.0 - until / 20.0);
        s += 3.0 * rng_.Normal();
        break;
      }
    }
    s += d.shadow;
    return static_cast<int>(std::lround(std::clamp(s, -100.0, -20.0)));
  }

  bool Lost(int s) {
    double p = 0.03;
    if (s < -90) p += (-90 - s) / 6.0;
    return rng_.U() < p;
  }

  // Builds the record (header included) at `out`; returns its length.
  std::size_t BuildFrame(std::uint8_t* out, const Device& d, std::int64_t t, int chan_no,
                         int signal, std::uint16_t seq) {
    const Model& m = models_[d.model];
    std::uint8_t* rt = out + 16;
    std::memset(rt, 0, kRadiotapLen);
    StoreLe16(rt + 2, kRadiotapLen);
    StoreLe32(rt + 4, 0x0000002bu);  // TSFT, Flags, Channel, dBm antenna signal
    StoreLe64(rt + 8, static_cast<std::uint64_t>(t - start_ + tsf_offset_));
    rt[16] = 0x10;  // the frame ends with an FCS
    StoreLe16(rt + 18, static_cast<std::uint16_t>(2407 + 5 * chan_no));
    StoreLe16(rt + 20, 0x00a0);  // 2 GHz, CCK
    rt[22] = static_cast<std::uint8_t>(static_cast<std::int8_t>(signal));
    std::uint8_t* f = rt + kRadiotapLen;
    f[0] = 0x40;
    f[1] = 0;
    f[2] = f[3] = 0;
    std::memset(f + 4, 0xff, 6);
    std::memcpy(f + 10, d.mac, 6);
    std::memset(f + 16, 0xff, 6);
    StoreLe16(f + 22, static_cast<std::uint16_t>(seq << 4));
    std::size_t n = kHdr80211;
    f[n++] = 0;  // SSID
    if (d.burst_directed) {
      const char* ssid = kSsids[d.directed_ssid];
      const std::size_t len = std::strlen(ssid);
      f[n++] = static_cast<std::uint8_t>(len);
      std::memcpy(f + n, ssid, len);
      n += len;
    } else {
      f[n++] = 0;
    }
    std::memcpy(f + n, m.ies.data(), m.ies.size());
    if (m.ds_offset >= 0) f[n + m.ds_offset] = static_cast<std::uint8_t>(chan_no);
    n += m.ies.size();
    StoreLe32(f + n, Crc32(f, n));
    n += 4;
    const std::size_t caplen = kRadiotapLen + n;
    StoreLe32(out, static_cast<std::uint32_t>(t / kUs));
    StoreLe32(out + 4, static_cast<std::uint32_t>(t % kUs));
    StoreLe32(out + 8, static_cast<std::uint32_t>(caplen));
    StoreLe32(out + 12, static_cast<std::uint32_t>(caplen));
    return 16 + caplen;
  }

  // A broken copy of the record just built at `src` (length `len`).
  void WriteBroken(const std::uint8_t* src, std::size_t len) {
    std::uint8_t* out = writer_->Reserve();
    std::memcpy(out, src, len);
    std::uint8_t* rt = out + 16;
    std::uint8_t* f = rt + kRadiotapLen;
    const std::size_t flen = len - 16 - kRadiotapLen;  // 802.11 incl. FCS
    const int kind = static_cast<int>(rng_.Below(4));
    std::size_t caplen = len - 16;
    switch (kind) {
      case 0:  // one flipped bit in the body: the CRC no longer matches
        f[kHdr80211 + rng_.Below(flen - kHdr80211 - 4)] ^=
            static_cast<std::uint8_t>(1u << rng_.Below(8));
        break;
      case 1: {  // cut inside the elements: the last 4 bytes are no FCS
        const std::size_t cut = kHdr80211 + 6 + rng_.Below(flen - kHdr80211 - 12);
        if (Crc32(f, cut - 4) == LoadLe32(&f[cut - 4])) {
          f[cut - 1] ^= 1;
        }
        caplen = kRadiotapLen + cut;
        break;
      }
      case 2:  // cut inside the 802.11 header
        caplen = kRadiotapLen + 6 + rng_.Below(20);
        break;
      case 3:  // radiotap length beyond the frame
        StoreLe16(rt + 2, static_cast<std::uint16_t>(caplen + 1 + rng_.Below(200)));
        break;
    }
    StoreLe32(out + 8, static_cast<std::uint32_t>(caplen));
    StoreLe32(out + 12, static_cast<std::uint32_t>(caplen));
    writer_->Commit(16 + caplen);
    malformed_[kind]++;
    frames_++;
  }

  void EmitFrame(Device& d, std::uint32_t idx, std::int64_t t) {
    static const int kChannels[3] = {1, 6, 11};
    const int signal = Signal(d, t);
    const std::uint16_t seq = d.seq;
    d.seq = static_cast<std::uint16_t>((d.seq + 1) & 0x0fff);
    if (Lost(signal)) return;
    std::uint8_t* out = writer_->Reserve();
    const std::size_t len = BuildFrame(out, d, t, kChannels[d.chan], signal, seq);
    writer_->Commit(len);
    frames_++;
    valid_++;
    Observe(d, idx, t, signal);
    if (p_.malformed_share > 0 && rng_.Chance(p_.malformed_share)) {
      // `out` may move when the buffer flushes: copy the record first.
      std::uint8_t copy[1024];
      std::memcpy(copy, out, len);
      WriteBroken(copy, len);
    }
  }

  // ---- Truth -------------------------------------------------------------
  VisitKind Classify(int vmax, std::int64_t dur) const {
    if (dur >= stationary_us_) return VisitKind::kStationary;
    if (vmax >= p_.visitor_rssi_dbm && dur >= min_visit_us_) return VisitKind::kVisitor;
    return VisitKind::kPasserby;
  }
  void CountKind(VisitKind k) { kinds_[static_cast<int>(k)]++; }
  void MarkEpochVisitor(Device& d) {
    if (!d.epoch_visitor) epoch_visitors_++;
    d.epoch_visitor = true;
  }

  void LogVisit(const Device& d, std::uint32_t idx, VisitKind k, bool closed) {
    if (!p_.truth_visits) return;
    const Model& m = models_[d.model];
    nlohmann::ordered_json v;
    v["device"] = idx;
    v["person"] = KindName(d.kind);
    v["model"] = m.name;
    v["mac_policy"] = MacPolicyName(m.policy);
    if (m.policy == MacPolicy::kGlobal) {
      char buf[18];
      std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", d.mac[0], d.mac[1], d.mac[2],
                    d.mac[3], d.mac[4], d.mac[5]);
      v["mac"] = buf;
    }
    v["start_us"] = d.vfirst;
    v["end_us"] = d.vlast;
    v["start"] = Rfc3339(d.vfirst);
    v["dwell_s"] = static_cast<double>(d.vlast - d.vfirst) / kUs;
    v["frames"] = d.vframes;
    v["max_signal_dbm"] = d.vmax;
    v["kind"] = VisitKindName(k);
    v["closed"] = closed;
    visits_.push_back(std::move(v));
  }

  void CloseVisit(Device& d, std::uint32_t idx, std::size_t win) {
    const std::int64_t dur = d.vlast - d.vfirst;
    const VisitKind k = Classify(d.vmax, dur);
    Window& w = windows_[win];
    w.departures++;
    if (k == VisitKind::kVisitor) {
      w.visitor_visits++;
      w.dwell_us.push_back(dur);
      MarkEpochVisitor(d);
    } else if (k == VisitKind::kPasserby) {
      w.passersby++;
    }
    CountKind(k);
    LogVisit(d, idx, k, true);
    d.open = false;
  }

  // The end of window `win` at time T: visits closed before T depart in it;
  // visits still open at T are counted as visitors or stationary.
  void Finalize(std::int64_t T, std::size_t win) {
    Window& w = windows_[win];
    w.evaluated_at = T;
    std::size_t keep = 0;
    for (std::size_t k = 0; k < active_.size(); ++k) {
      const std::uint32_t i = active_[k];
      Device& d = devices_[i];
      if (!d.open) {
        d.in_active = false;
        continue;
      }
      const std::int64_t close = d.vlast + gap_us_;
      if (close < T) {
        CloseVisit(d, i, win);
        d.in_active = false;
        continue;
      }
      if (close > T) {
        const std::int64_t dur = d.vlast - d.vfirst;
        if (dur >= stationary_us_) {
          w.stationary++;
        } else if (d.vmax >= p_.visitor_rssi_dbm && dur >= min_visit_us_) {
          w.visitors++;
          MarkEpochVisitor(d);
        }
      }
      active_[keep++] = i;
    }
    active_.resize(keep);
    w.epoch_devices = devices_heard_;
    w.epoch_visitors = epoch_visitors_;
  }

  void Observe(Device& d, std::uint32_t idx, std::int64_t t, int signal) {
    const std::int64_t wi = t / win_us_;
    if (!have_frames_) {
      have_frames_ = true;
      first_win_ = wi;
      windows_.push_back(Window{});
      windows_.back().start_us = wi * win_us_;
    }
    while (wi > first_win_ + static_cast<std::int64_t>(windows_.size()) - 1) {
      const std::size_t cur = windows_.size() - 1;
      Finalize(windows_[cur].start_us + win_us_, cur);
      windows_.push_back(Window{});
      windows_.back().start_us = windows_[cur].start_us + win_us_;
    }
    last_t_ = t;
    const std::size_t cur = windows_.size() - 1;
    const std::int32_t cw = static_cast<std::int32_t>(cur);
    Window& w = windows_[cur];
    w.probe_requests++;
    if (!d.heard) {
      d.heard = true;
      devices_heard_++;
    }
    if (d.dev_win != cw) {
      d.dev_win = cw;
      w.devices++;
    }
    if (!d.mac_heard) {
      d.mac_heard = true;
      distinct_macs_++;
    }
    if (d.mac_win != cw) {
      d.mac_win = cw;
      w.distinct_macs++;
    }
    if (d.open && t - d.vlast > gap_us_) CloseVisit(d, idx, cur);
    if (!d.open) {
      d.open = true;
      d.vfirst = d.vlast = t;
      d.vmax = signal;
      d.vframes = 1;
      w.arrivals++;
      visits_total_++;
      if (!d.in_active) {
        d.in_active = true;
        active_.push_back(idx);
      }
    } else {
      d.vlast = t;
      d.vmax = std::max(d.vmax, signal);
      d.vframes++;
    }
  }

  Params p_;
  Rng rng_;
  std::vector<Model> models_;
  std::int64_t start_, end_, win_us_, gap_us_, min_visit_us_, stationary_us_;
  std::uint64_t mac_key_ = 0;
  std::int64_t tsf_offset_ = 0;
  std::uint64_t random_macs_ = 0;
  std::vector<Device> devices_;
  PcapWriter* writer_ = nullptr;

  std::uint64_t frames_ = 0, valid_ = 0, malformed_[4] = {0, 0, 0, 0};
  std::uint64_t epoch_visitors_ = 0;
  std::uint64_t devices_heard_ = 0, distinct_macs_ = 0, visits_total_ = 0, kinds_[3] = {0, 0, 0};
  bool have_frames_ = false;
  std::int64_t first_win_ = 0, last_t_ = 0;
  std::vector<Window> windows_;
  std::vector<std::uint32_t> active_;
  nlohmann::ordered_json visits_ = nlohmann::ordered_json::array();
};

}  // namespace
}  // namespace footfall::sim

int main(int argc, char** argv) {
  using footfall::sim::Params;
  Params p;
  CLI::App app{
      "simulate: a synthetic radiotap pcap of probe requests at a shop, with ground truth"};
  app.add_option("--seed", p.seed, "random seed (same seed, same bytes)");
  app.add_option("--start", p.start, "start time, RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)");
  app.add_option("--hours", p.hours, "length of the capture in hours")->check(CLI::PositiveNumber);
  auto* o_vis = app.add_option("--visitors-per-hour", p.visitors_per_hour,
                               "visitors arriving per hour (mean)")
                    ->check(CLI::NonNegativeNumber);
  auto* o_pass =
      app.add_option("--passersby-per-hour", p.passersby_per_hour, "passers-by per hour (mean)")
          ->check(CLI::NonNegativeNumber);
  auto* o_staff = app.add_option("--staff", p.staff, "staff phones (inside all shift)")
                      ->check(CLI::NonNegativeNumber);
  auto* o_fixed = app.add_option("--fixed", p.fixed, "fixed devices (whole period, global MAC)")
                      ->check(CLI::NonNegativeNumber);
  app.add_option("--randomized-share", p.randomized_share,
                 "share of (non-fixed) devices using a randomizing model")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--malformed-share", p.malformed_share, "extra broken frames per valid frame")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--window", p.window_s, "truth window length in seconds")
      ->check(CLI::Range(1, 86400));
  app.add_option("--visit-gap", p.visit_gap_s, "visit gap in seconds")->check(CLI::PositiveNumber);
  app.add_option("--visitor-rssi", p.visitor_rssi_dbm, "visitor signal threshold, dBm");
  app.add_option("--min-visit", p.min_visit_s, "minimum visitor visit, seconds")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--stationary-after", p.stationary_after_s, "stationary after, seconds")
      ->check(CLI::PositiveNumber);
  app.add_option("--profile", p.profile, "arrival profile over the day")
      ->check(CLI::IsMember({"retail", "flat"}));
  app.add_option("--preset", p.preset, "quiet | busy | large | huge (explicit rate flags override)")
      ->check(CLI::IsMember({"quiet", "busy", "large", "huge"}));
  app.add_option("--out", p.out, "pcap to write");
  app.add_option("--truth", p.truth, "ground-truth JSON to write");
  app.add_flag("--truth-visits", p.truth_visits, "also list every visit in the truth (large)");
  app.add_option("--crowd", p.crowd,
                 "only a crowd of this many phones of one model, present all the time")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--crowd-model", p.crowd_model, "the crowd's model (default apple-iphone-ios17)");
  CLI11_PARSE(app, argc, argv);

  // Presets (before explicit flags, which win). large and huge: sized so that
  // a 12 h day is ~1 M and ~10 M frames (the performance benchmark).
  struct Preset {
    const char* name;
    double visitors, passersby;
    int staff, fixed;
  };
  static const Preset kPresets[] = {{"quiet", 15, 80, 2, 2},
                                    {"busy", 80, 600, 6, 4},
                                    {"large", 1200, 4100, 20, 8},
                                    {"huge", 12000, 41000, 60, 20}};
  for (const Preset& pr : kPresets) {
    if (p.preset != pr.name) continue;
    if (o_vis->count() == 0) p.visitors_per_hour = pr.visitors;
    if (o_pass->count() == 0) p.passersby_per_hour = pr.passersby;
    if (o_staff->count() == 0) p.staff = pr.staff;
    if (o_fixed->count() == 0) p.fixed = pr.fixed;
  }

  try {
    const auto t0 = std::chrono::steady_clock::now();
    footfall::sim::Simulator sim(p);
    sim.Run();
    sim.WriteTruth();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr,
                 "simulate: %llu frames (%llu valid probe requests), %llu devices heard of %zu "
                 "simulated, %llu distinct MACs, %zu windows, %.2f s -> %s, %s\n",
                 static_cast<unsigned long long>(sim.frames()),
                 static_cast<unsigned long long>(sim.valid()),
                 static_cast<unsigned long long>(sim.devices_heard()), sim.devices_simulated(),
                 static_cast<unsigned long long>(sim.distinct_macs()), sim.windows(), secs,
                 p.out.c_str(), p.truth.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "simulate: %s\n", e.what());
    return 1;
  }
  return 0;
}
