// Purpose: the device models of tools/simulate: how a kind of phone (or
// laptop, or IoT box) probes — its ordered information elements (the
// fingerprint the daemon keys on), its MAC policy, what its sequence number
// does when the MAC changes, and its burst timing — plus the random-number
// helpers, all deterministic for a seed. (The FCS comes from base/crc32.h.)
//
// Sources of the numbers (docs/accuracy.md says how the models were judged):
//  - Randomization: Android 10+ and iOS 14+ randomize probe-request MACs by
//    default; one vendor measured ~90% of probes randomized in 2022. Random
//    MACs are locally administered (bit 0x02 of the first octet), unicast.
//  - Policies: Martin et al., "A Study of MAC Address Randomization in Mobile
//    Devices and When it Fails" (PETS 2017) and Vanhoef et al., "Why MAC
//    Address Randomization is not Enough" (AsiaCCS 2016): most Android stacks
//    draw a new address per scan and keep the 802.11 sequence counter running
//    across the change; iOS draws a new address per scan and restarts the
//    counter at a random value; some vendors keep one random address for
//    minutes; Windows' "random hardware addresses" keep one for a day.
//  - Bursts: a scan sends 1–3 probe requests on each channel (1, 6, 11 seen by
//    the sensor; the channels between are swept too, ~20 ms each), with scans
//    every ~30–120 s while the phone is in use and longer pauses when the
//    screen is off.
//  - Element sets: the element IDs and orders follow what tshark shows for
//    these families of devices in public captures (SSID first; supported and
//    extended rates; DS parameter set; HT capabilities; extended
//    capabilities; VHT on many recent phones even at 2.4 GHz; vendor-specific
//    elements of Apple 00:17:f2, Broadcom 00:10:18, Microsoft/WFA 00:50:f2,
//    Wi-Fi Alliance 50:6f:9a, Qualcomm 00:03:7f, MediaTek 00:0c:e7, Huawei
//    00:e0:fc, Epigram 00:90:4c; HE capabilities as element extension 35 on
//    Wi-Fi 6 phones). Popular models dominate (a few iPhone and Galaxy
//    templates cover half the devices), so fingerprints collide as in a store.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

namespace footfall::sim {

// ---- Randomness: std::mt19937_64 with hand-rolled distributions -------------
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}
  std::uint64_t Bits() { return g_(); }
  // Uniform in [0, 1).
  double U() { return static_cast<double>(g_() >> 11) * (1.0 / 9007199254740992.0); }
  double U(double a, double b) { return a + (b - a) * U(); }
  // Uniform integer in [0, n).
  std::uint64_t Below(std::uint64_t n) { return n == 0 ? 0 : g_() % n; }
  bool Chance(double p) { return U() < p; }
  double Exp(double mean) { return -mean * std::log1p(-U()); }
  // Standard normal (Box-Muller, one of the pair).
  double Normal() {
    double u1 = U();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * U());
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  // Index drawn with the given weights.
  std::size_t Weighted(const std::vector<double>& w) {
    double total = 0;
    for (double x : w) total += x;
    double r = U() * total;
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (r < w[i]) return i;
      r -= w[i];
    }
    return w.size() - 1;
  }

 private:
  std::mt19937_64 g_;
};

// ---- Device models ------------------------------------------------------------
enum class MacPolicy : std::uint8_t { kGlobal, kPerBurst, kRotating };
enum class SeqOnChange : std::uint8_t { kContinue, kReset0, kRandom };
enum class ModelClass : std::uint8_t { kRandomizing, kGlobal, kFixed };

inline const char* MacPolicyName(MacPolicy p) {
  switch (p) {
    case MacPolicy::kGlobal:
      return "global";
    case MacPolicy::kPerBurst:
      return "random-per-burst";
    case MacPolicy::kRotating:
      return "random-rotating";
  }
  return "?";
}

struct Model {
  std::string name;
  ModelClass cls;
  double weight;  // popularity within its class
  MacPolicy policy;
  int rotate_min;       // kRotating: minutes per address
  SeqOnChange seq;      // what the 12-bit sequence number does at a MAC change
  double burst_mean_s;  // mean interval between scans while active
  double quiet_prob;    // share of intervals that are a screen-off pause
  double quiet_min_s, quiet_max_s;
  std::array<double, 3> per_channel;  // P(1, 2, 3 frames per channel per scan)
  std::array<std::uint8_t, 3> oui;    // for global addresses
  double directed_share;              // share of devices that also probe a directed SSID
  std::vector<std::uint8_t> ies;      // every element after the SSID
  int ds_offset = -1;                 // offset of the channel byte in `ies`
};

namespace ie {
using Bytes = std::vector<std::uint8_t>;
inline void Add(Bytes* out, std::uint8_t id, std::initializer_list<std::uint8_t> body) {
  out->push_back(id);
  out->push_back(static_cast<std::uint8_t>(body.size()));
  out->insert(out->end(), body.begin(), body.end());
}
inline void Rates8(Bytes* b) { Add(b, 1, {0x02, 0x04, 0x0b, 0x16, 0x0c, 0x12, 0x18, 0x24}); }
inline void Rates4(Bytes* b) { Add(b, 1, {0x02, 0x04, 0x0b, 0x16}); }
inline void ExtRates4(Bytes* b) { Add(b, 50, {0x30, 0x48, 0x60, 0x6c}); }
inline void ExtRates8(Bytes* b) { Add(b, 50, {0x0c, 0x12, 0x18, 0x24, 0x30, 0x48, 0x60, 0x6c}); }
// DS parameter set; returns the offset of the channel byte.
inline int Ds(Bytes* b) {
  Add(b, 3, {1});
  return static_cast<int>(b->size()) - 1;
}
// HT capabilities (26 bytes): cap info, A-MPDU parameters, MCS set for
// `streams` spatial streams, extended caps, TxBF, ASEL.
inline void Ht(Bytes* b, std::uint16_t cap, std::uint8_t ampdu, int streams) {
  Bytes body = {static_cast<std::uint8_t>(cap & 0xff), static_cast<std::uint8_t>(cap >> 8), ampdu};
  for (int i = 0; i < 16; ++i) body.push_back(i < streams ? 0xff : 0x00);
  for (int i = 0; i < 7; ++i) body.push_back(0);
  b->push_back(45);
  b->push_back(static_cast<std::uint8_t>(body.size()));
  b->insert(b->end(), body.begin(), body.end());
}
inline void Vht(Bytes* b, std::uint32_t cap, std::uint16_t mcs_map) {
  Add(b, 191,
      {static_cast<std::uint8_t>(cap), static_cast<std::uint8_t>(cap >> 8),
       static_cast<std::uint8_t>(cap >> 16), static_cast<std::uint8_t>(cap >> 24),
       static_cast<std::uint8_t>(mcs_map), static_cast<std::uint8_t>(mcs_map >> 8), 0, 0,
       static_cast<std::uint8_t>(mcs_map), static_cast<std::uint8_t>(mcs_map >> 8), 0, 0});
}
// HE capabilities: element 255, extension id 35, 6 MAC + 11 PHY + 4 MCS bytes.
inline void He(Bytes* b, std::uint8_t mac0, std::uint8_t phy0, std::uint8_t phy1) {
  Add(b, 255, {35,   mac0, 0x08, 0x88, 0x1a, 0x40, 0x00, phy0, phy1, 0x02, 0xc0,
               0x0f, 0x03, 0x95, 0x18, 0x00, 0x0c, 0x00, 0xfa, 0xff, 0xfa, 0xff});
}
}  // namespace ie

// The model table. Weights are relative within a class; --randomized-share
// chooses the class of each person's device first.
inline std::vector<Model> BuildModels() {
  using namespace ie;
  std::vector<Model> m;
  auto add = [&](Model x) {
    m.push_back(std::move(x));
    return &m.back();
  };
  Model* x;

  // iPhone on a recent iOS: new address every scan, counter restarts at random.
  x = add({"apple-iphone-ios17",
           ModelClass::kRandomizing,
           30,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kRandom,
           45,
           0.22,
           120,
           330,
           {0.55, 0.35, 0.10},
           {0, 0, 0},
           0.10,
           {}});
  Rates4(&x->ies);
  ExtRates8(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x0063, 0x17, 1);
  Add(&x->ies, 127, {0x04, 0x00, 0x0a, 0x02, 0x01, 0x00, 0x40, 0x80});
  Add(&x->ies, 107, {0x0f});
  Vht(&x->ies, 0x0f8259b2, 0xfffa);
  Add(&x->ies, 221, {0x00, 0x17, 0xf2, 0x0a, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00});
  He(&x->ies, 0x01, 0x22, 0x20);

  // iPhone on iOS 18: the same elements as iOS 17 (one fingerprint for two
  // models), but scans more often: a fingerprint is not a probing rate.
  x = add({"apple-iphone-ios18",
           ModelClass::kRandomizing,
           12,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kRandom,
           28,
           0.22,
           120,
           330,
           {0.55, 0.35, 0.10},
           {0, 0, 0},
           0.10,
           {}});
  x->ies = m[0].ies;
  x->ds_offset = m[0].ds_offset;

  // iPhone on iOS 14/15: address kept ~15 min, counter continues.
  x = add({"apple-iphone-ios14",
           ModelClass::kRandomizing,
           10,
           MacPolicy::kRotating,
           15,
           SeqOnChange::kContinue,
           60,
           0.22,
           120,
           330,
           {0.55, 0.35, 0.10},
           {0, 0, 0},
           0.10,
           {}});
  Rates4(&x->ies);
  ExtRates8(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x0062, 0x17, 1);
  Add(&x->ies, 127, {0x04, 0x00, 0x0a, 0x02, 0x01, 0x00, 0x40, 0x80});
  Add(&x->ies, 107, {0x0f});
  Add(&x->ies, 221, {0x00, 0x17, 0xf2, 0x0a, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00});

  // Samsung Galaxy, Android 13: new address per scan, counter continues.
  x = add({"samsung-galaxy-android13",
           ModelClass::kRandomizing,
           18,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kContinue,
           50,
           0.20,
           120,
           330,
           {0.70, 0.25, 0.05},
           {0, 0, 0},
           0.12,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x01ef, 0x1b, 2);
  Add(&x->ies, 127, {0x04, 0x00, 0x0a, 0x82, 0x21, 0x40, 0x00, 0x40, 0x80, 0x00});
  Vht(&x->ies, 0x0f9179b1, 0xfffa);
  Add(&x->ies, 221, {0x00, 0x10, 0x18, 0x02, 0x00, 0x00, 0x1c, 0x00, 0x00});
  Add(&x->ies, 221, {0x00, 0x50, 0xf2, 0x08, 0x00, 0x22, 0x00});
  He(&x->ies, 0x03, 0x22, 0x60);

  // Samsung Galaxy, Android 14: the same elements as on Android 13, but the
  // counter restarts at random at every new address: one fingerprint, two
  // sequence behaviours.
  x = add({"samsung-galaxy-android14",
           ModelClass::kRandomizing,
           8,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kRandom,
           50,
           0.20,
           120,
           330,
           {0.70, 0.25, 0.05},
           {0, 0, 0},
           0.12,
           {}});
  {
    const Model& a13 = m[m.size() - 2];
    x->ies = a13.ies;
    x->ds_offset = a13.ds_offset;
  }

  // Google Pixel, Android 14: per scan, counter restarts at random.
  x = add({"google-pixel-android14",
           ModelClass::kRandomizing,
           7,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kRandom,
           70,
           0.20,
           120,
           330,
           {0.70, 0.25, 0.05},
           {0, 0, 0},
           0.08,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x01ef, 0x1f, 2);
  Add(&x->ies, 127, {0x05, 0x00, 0x08, 0x82, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x20});
  Vht(&x->ies, 0x0f9979b1, 0xfffa);
  Add(&x->ies, 221, {0x50, 0x6f, 0x9a, 0x16, 0x03, 0x01, 0x03});
  He(&x->ies, 0x03, 0x20, 0x60);

  // Xiaomi/Redmi, Android 12 on Qualcomm: per scan, counter continues.
  x = add({"xiaomi-redmi-android12",
           ModelClass::kRandomizing,
           9,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kContinue,
           60,
           0.20,
           120,
           330,
           {0.70, 0.25, 0.05},
           {0, 0, 0},
           0.10,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x19ef, 0x17, 2);
  Add(&x->ies, 127, {0x00, 0x00, 0x08, 0x80, 0x00, 0x00, 0x00, 0x40});
  Add(&x->ies, 221, {0x00, 0x03, 0x7f, 0x01, 0x01, 0x00, 0x00, 0xff, 0x7f});
  Add(&x->ies, 221, {0x00, 0x50, 0xf2, 0x08, 0x00, 0x22, 0x00});

  // Huawei P, Android 10 (EMUI): one address for 10 minutes, counter continues.
  x = add({"huawei-p-android10",
           ModelClass::kRandomizing,
           4,
           MacPolicy::kRotating,
           10,
           SeqOnChange::kContinue,
           75,
           0.20,
           120,
           330,
           {0.60, 0.30, 0.10},
           {0, 0, 0},
           0.10,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x016e, 0x17, 2);
  Add(&x->ies, 127, {0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40});
  Add(&x->ies, 221, {0x00, 0xe0, 0xfc, 0x80, 0x00, 0x00, 0x00, 0x01, 0x00});

  // OPPO/OnePlus, Android 13 on MediaTek: per scan, counter restarts at 0.
  x = add({"oppo-oneplus-android13",
           ModelClass::kRandomizing,
           5,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kReset0,
           60,
           0.20,
           120,
           330,
           {0.70, 0.25, 0.05},
           {0, 0, 0},
           0.10,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x0163, 0x03, 1);
  Add(&x->ies, 127, {0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x40});
  Add(&x->ies, 221, {0x00, 0x0c, 0xe7, 0x08, 0x00, 0x00, 0x00});
  He(&x->ies, 0x01, 0x02, 0x20);

  // Apple Watch / iPad: per scan, random counter, no VHT/HE at 2.4 GHz.
  x = add({"apple-watch-ipad",
           ModelClass::kRandomizing,
           5,
           MacPolicy::kPerBurst,
           0,
           SeqOnChange::kRandom,
           90,
           0.30,
           150,
           330,
           {0.60, 0.35, 0.05},
           {0, 0, 0},
           0.05,
           {}});
  Rates4(&x->ies);
  ExtRates8(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x0021, 0x17, 1);
  Add(&x->ies, 127, {0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x40});
  Add(&x->ies, 221, {0x00, 0x17, 0xf2, 0x0a, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00});

  // Windows laptop with "random hardware addresses": one random address all day.
  x = add({"windows-laptop-random",
           ModelClass::kRandomizing,
           3,
           MacPolicy::kRotating,
           1440,
           SeqOnChange::kContinue,
           90,
           0.25,
           150,
           330,
           {0.80, 0.20, 0.00},
           {0, 0, 0},
           0.30,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x01ad, 0x17, 2);
  Add(&x->ies, 127, {0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x40});
  Add(&x->ies, 221, {0x00, 0x50, 0xf2, 0x04, 0x10, 0x4a, 0x00, 0x01, 0x10});
  Add(&x->ies, 221, {0x00, 0x90, 0x4c, 0x04, 0x08, 0xbf, 0x0c, 0xb2, 0x59, 0x82, 0x0f});

  // Phones without randomization (older Android, a burst per scan, global MAC).
  x = add({"android8-legacy",
           ModelClass::kGlobal,
           6,
           MacPolicy::kGlobal,
           0,
           SeqOnChange::kContinue,
           60,
           0.20,
           120,
           330,
           {0.70, 0.25, 0.05},
           {0xa4, 0x50, 0x46},
           0.25,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x012c, 0x03, 1);
  Add(&x->ies, 221, {0x00, 0x10, 0x18, 0x02, 0x00, 0x00, 0x1c, 0x00, 0x00});

  x = add({"feature-phone-legacy",
           ModelClass::kGlobal,
           3,
           MacPolicy::kGlobal,
           0,
           SeqOnChange::kContinue,
           80,
           0.25,
           150,
           330,
           {0.80, 0.20, 0.00},
           {0x00, 0x1a, 0x89},
           0.30,
           {}});
  Rates4(&x->ies);
  ExtRates8(&x->ies);
  x->ds_offset = Ds(&x->ies);

  x = add({"linux-laptop-intel",
           ModelClass::kGlobal,
           2,
           MacPolicy::kGlobal,
           0,
           SeqOnChange::kContinue,
           100,
           0.25,
           150,
           330,
           {0.85, 0.15, 0.00},
           {0x3c, 0xa9, 0xf4},
           0.40,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x01ef, 0x1f, 2);
  Add(&x->ies, 127, {0x04, 0x00, 0x0a, 0x02, 0x01, 0x40, 0x40, 0x80});
  Add(&x->ies, 221, {0x00, 0x50, 0xf2, 0x04, 0x10, 0x4a, 0x00, 0x01, 0x10});

  // Fixed equipment: an ESP32 sensor and a payment terminal, always there.
  x = add({"esp32-iot",
           ModelClass::kFixed,
           2,
           MacPolicy::kGlobal,
           0,
           SeqOnChange::kContinue,
           90,
           0.0,
           0,
           0,
           {1.0, 0.0, 0.0},
           {0x24, 0x0a, 0xc4},
           0.0,
           {}});
  Rates8(&x->ies);
  ExtRates4(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x0020, 0x00, 1);

  x = add({"pos-terminal",
           ModelClass::kFixed,
           1,
           MacPolicy::kGlobal,
           0,
           SeqOnChange::kContinue,
           120,
           0.0,
           0,
           0,
           {1.0, 0.0, 0.0},
           {0x00, 0x0b, 0x82},
           0.0,
           {}});
  Rates4(&x->ies);
  ExtRates8(&x->ies);
  x->ds_offset = Ds(&x->ies);
  Ht(&x->ies, 0x000c, 0x00, 1);
  Add(&x->ies, 221, {0x00, 0x50, 0xf2, 0x04, 0x10, 0x4a, 0x00, 0x01, 0x10});
  return m;
}

}  // namespace footfall::sim
