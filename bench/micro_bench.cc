// Purpose: micro-benchmarks of footfalld's per-frame path (Google Benchmark),
// each stage alone and then chained as App::OnFrame runs them:
//  - Crc32 over typical 802.11 lengths;
//  - ParseFrame on a 148-byte radiotap probe request with FCS (three present
//    words, two per-chain signals: what a Linux mac80211 monitor writes), and
//    on a frame of another type (no FCS check);
//  - Pseudonymizer::Pseudonymize with SipHash-2-4 and keyed BLAKE2b;
//  - analytics::WindowCounter::OnProbe with a pool of distinct pseudonyms and
//    a simulated day's frame spacing;
//  - IeSignature + Pseudonymizer::Fingerprint (grouping of randomized MACs);
//  - footfalld's frame path itself (daemon::FramePath: parse -> pseudonymize
//    -> fingerprint -> OnProbe) over 4096 distinct frames.
// All MAC addresses here are made up. Run: build-*/bench/footfall_bench.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "analytics/signal_histogram.h"
#include "analytics/window_counter.h"
#include "base/byte_order.h"
#include "base/crc32.h"
#include "capture/frame_parser.h"
#include "capture/ie_signature.h"
#include "capture/mac_address.h"
#include "capture/source.h"
#include "daemon/frame_path.h"
#include "daemon/run_counters.h"
#include "hashing/pseudonymizer.h"
#include "hashing/rotation.h"

namespace {

using footfall::StoreLe16;
using footfall::StoreLe32;

using footfall::Crc32;
using footfall::capture::FrameClass;
using footfall::capture::kLinkTypeRadiotap;
using footfall::capture::ParseFrame;
using Clock = std::chrono::system_clock;

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A made-up, locally administered transmitter derived from `i`.
std::array<std::uint8_t, 6> MakeMac(std::uint64_t i) {
  const std::uint64_t r = SplitMix(i);
  std::array<std::uint8_t, 6> m{};
  for (int k = 0; k < 6; ++k) m[k] = static_cast<std::uint8_t>(r >> (8 * k));
  m[0] = static_cast<std::uint8_t>((m[0] & 0xFC) | 0x02);
  return m;
}

constexpr std::size_t kMacOffset = 38 + 10;  // radiotap it_len + addr2 offset
constexpr std::size_t kProbeLen = 148;

// 38 bytes of radiotap + 24 of 802.11 header + 82 of information elements + 4 FCS.
std::vector<std::uint8_t> MakeProbe(const std::array<std::uint8_t, 6>& mac, std::uint16_t seq,
                                    std::uint8_t fc0 = 0x40) {
  std::vector<std::uint8_t> b(kProbeLen, 0);
  // Radiotap: TSFT, Flags (FCS at end), Rate, Channel, dBm signal, RX flags,
  // then two radiotap namespaces of {dBm signal, antenna} (the chains).
  StoreLe16(b.data() + 2, 38);
  StoreLe32(b.data() + 4, 0xA000402Fu);
  StoreLe32(b.data() + 8, 0xA0000820u);
  StoreLe32(b.data() + 12, 0x00000820u);
  for (int k = 0; k < 8; ++k) b[16 + k] = static_cast<std::uint8_t>(0x11 * k);  // TSFT
  b[24] = 0x10;                                                                 // flags: FCS
  b[25] = 0x02;                                                                 // 1 Mb/s
  StoreLe16(b.data() + 26, 2437);
  StoreLe16(b.data() + 28, 0x00A0);
  b[30] = static_cast<std::uint8_t>(-61);
  StoreLe16(b.data() + 32, 0);
  b[34] = static_cast<std::uint8_t>(-63);
  b[35] = 0;
  b[36] = static_cast<std::uint8_t>(-62);
  b[37] = 1;
  // 802.11 management header.
  std::size_t f = 38;
  b[f] = fc0;
  for (int k = 0; k < 6; ++k) b[f + 4 + k] = 0xFF;
  for (int k = 0; k < 6; ++k) b[f + 10 + k] = mac[k];
  for (int k = 0; k < 6; ++k) b[f + 16 + k] = 0xFF;
  StoreLe16(b.data() + f + 22, static_cast<std::uint16_t>(seq << 4));
  // IEs: SSID (wildcard), rates, extended rates, DS, HT caps, ext caps, vendor.
  std::size_t p = f + 24;
  const auto ie = [&](std::uint8_t id, std::uint8_t len, std::uint8_t fill) {
    b[p] = id;
    b[p + 1] = len;
    for (int k = 0; k < len; ++k) b[p + 2 + k] = static_cast<std::uint8_t>(fill + k);
    p += 2u + len;
  };
  ie(0, 0, 0);
  ie(1, 8, 0x82);
  ie(50, 4, 0x30);
  ie(3, 1, 6);
  ie(45, 26, 0x2D);
  ie(127, 8, 0);
  ie(221, 21, 0x50);
  const std::uint32_t fcs = Crc32(b.data() + f, kProbeLen - 4 - f);
  StoreLe32(b.data() + kProbeLen - 4, fcs);
  return b;
}

void BM_Crc32(benchmark::State& state) {
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<std::uint8_t>(i * 7);
  for (auto _ : state) {
    benchmark::DoNotOptimize(Crc32(buf.data(), buf.size()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32)->Arg(106)->Arg(256)->Arg(1500);

// The portable slice-by-8 method alone, for comparison with the dispatched one.
void BM_Crc32Portable(benchmark::State& state) {
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<std::uint8_t>(i * 7);
  for (auto _ : state) {
    benchmark::DoNotOptimize(footfall::Crc32Portable(buf.data(), buf.size()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32Portable)->Arg(106)->Arg(256)->Arg(1500);

void BM_ParseProbe(benchmark::State& state) {
  const auto mac = MakeMac(1);
  std::vector<std::uint8_t> frame = MakeProbe(mac, 100);
  for (auto _ : state) {
    std::memcpy(frame.data() + kMacOffset, mac.data(), mac.size());  // the parser wiped it
    auto r = ParseFrame(kLinkTypeRadiotap, frame.data(), frame.size(), frame.size());
    if (r.frame_class != FrameClass::kProbeRequest) state.SkipWithError("not a probe request");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseProbe);

void BM_ParseOther(benchmark::State& state) {
  std::vector<std::uint8_t> frame = MakeProbe(MakeMac(2), 100, 0x80);  // a beacon
  for (auto _ : state) {
    auto r = ParseFrame(kLinkTypeRadiotap, frame.data(), frame.size(), frame.size());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseOther);

std::unique_ptr<footfall::hashing::Pseudonymizer> MakePseudonymizer(
    footfall::hashing::Algorithm algorithm) {
  return std::make_unique<footfall::hashing::Pseudonymizer>(
      algorithm, footfall::hashing::MakePeriodicSchedule(std::chrono::hours(24 * 365)),
      footfall::hashing::MakeRandomKeySource(), Clock::now());
}

void BM_Pseudonymize(benchmark::State& state) {
  auto algorithm = state.range(0) == 0 ? footfall::hashing::Algorithm::kSipHash24
                                       : footfall::hashing::Algorithm::kBlake2b;
  state.SetLabel(state.range(0) == 0 ? "siphash24" : "blake2b");
  auto p = MakePseudonymizer(algorithm);
  const auto raw = MakeMac(3);
  std::uint64_t acc = 0;
  for (auto _ : state) {
    footfall::capture::MacAddress mac(raw.data());
    acc += p->Pseudonymize(mac).value;
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Pseudonymize)->Arg(0)->Arg(1);

// The keyed model signature of a new randomized MAC's probe request (daemon::FramePath).
void BM_Fingerprint(benchmark::State& state) {
  auto p = MakePseudonymizer(footfall::hashing::Algorithm::kSipHash24);
  const auto raw = MakeMac(4);
  std::vector<std::uint8_t> frame = MakeProbe(raw, 100);
  auto r = ParseFrame(kLinkTypeRadiotap, frame.data(), frame.size(), frame.size());
  std::uint64_t acc = 0;
  for (auto _ : state) {
    std::uint8_t signature[footfall::capture::kIeSignatureMax];
    const std::size_t n = footfall::capture::IeSignature(r.probe.ies, r.probe.ies_len, signature);
    acc += p->Fingerprint(signature, n);
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Fingerprint);

// One-minute windows that only count how many were closed.
footfall::analytics::WindowCounter CountingWindows(std::uint64_t* windows) {
  return footfall::analytics::WindowCounter(
      std::chrono::seconds(60),
      [windows](const footfall::analytics::WindowReport&) { ++*windows; });
}

// OnProbe with pseudonyms drawn from a pool of `range(0)` devices and frames
// spaced `range(1)` microseconds apart (4320: a 10 M-frame, 12-hour day).
// Three in four MACs are randomized, with the keyed model fingerprint of one
// of 20 models; every device's sequence number starts at random and advances
// by 1-3 per frame, as phones' do. range(2) = 1: the worst case instead, every
// device of one model and sequence number 0 (all in one grouping bucket).
void BM_WindowOnProbe(benchmark::State& state) {
  const std::size_t pool = static_cast<std::size_t>(state.range(0));
  const auto step = std::chrono::microseconds(state.range(1));
  const bool clumped = state.range(2) != 0;
  std::vector<footfall::hashing::Pseudonym> who(pool);
  std::vector<footfall::analytics::ProbeTraits> traits(pool);
  for (std::size_t i = 0; i < pool; ++i) {
    who[i].value = SplitMix(i + 1000);
    who[i].randomized = (i % 4) != 0;
    traits[i].has_fingerprint = who[i].randomized;
    traits[i].fingerprint = who[i].randomized ? SplitMix(clumped ? 1 : 1 + i % 20) : 0;
    traits[i].sequence = clumped ? 0 : static_cast<std::uint16_t>(SplitMix(i) & 0xFFF);
  }
  std::uint64_t windows = 0;
  footfall::analytics::WindowCounter counter = CountingWindows(&windows);
  Clock::time_point t = Clock::time_point(std::chrono::hours(24 * 20000));
  std::size_t i = 0;
  for (auto _ : state) {
    t += step;
    counter.OnProbe(t, who[i], -60 - static_cast<int>(i & 31), traits[i]);
    if (!clumped) {
      traits[i].sequence = static_cast<std::uint16_t>((traits[i].sequence + 1 + (i & 1)) & 0xFFF);
    }
    if (++i == pool) i = 0;
  }
  benchmark::DoNotOptimize(windows);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_WindowOnProbe)
    ->Args({1000, 4320, 0})
    ->Args({100000, 4320, 0})
    ->Args({100000, 100, 0})
    ->Args({100000, 4320, 1});

// The per-frame work of footfalld: daemon::FramePath::Process, the unit
// App::OnFrame runs (parse with FCS, no signal floor, pseudonymize, one
// source so no dedup, the keyed fingerprint of a new randomized pseudonym,
// the window and the signal view), the key advanced to each frame's time as
// App does. The path wipes the whole frame, so each is copied back first
// (~150 bytes, as libpcap would have written it).
void BM_FramePipeline(benchmark::State& state) {
  constexpr std::size_t kFrames = 4096;
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::size_t i = 0; i < kFrames; ++i) {
    frames.push_back(MakeProbe(MakeMac(i + 7), static_cast<std::uint16_t>(i)));
  }
  auto algorithm = state.range(0) == 0 ? footfall::hashing::Algorithm::kSipHash24
                                       : footfall::hashing::Algorithm::kBlake2b;
  state.SetLabel(state.range(0) == 0 ? "siphash24" : "blake2b");
  auto p = MakePseudonymizer(algorithm);
  std::uint64_t windows = 0;
  footfall::analytics::WindowCounter counter = CountingWindows(&windows);
  footfall::analytics::SignalHistogram signal;
  footfall::daemon::RunCounters counters;
  footfall::daemon::FramePath path(
      {},
      [&p](Clock::time_point t) -> footfall::hashing::Pseudonymizer& {
        p->AdvanceTo(t);
        return *p;
      },
      counter, signal, counters);
  std::vector<std::uint8_t> buffer(kProbeLen);
  footfall::capture::RawFrame raw;
  raw.link_type = kLinkTypeRadiotap;
  raw.data = buffer.data();
  raw.caplen = raw.wirelen = kProbeLen;
  raw.time = Clock::time_point(std::chrono::hours(24 * 20000));
  std::size_t i = 0;
  for (auto _ : state) {
    std::memcpy(buffer.data(), frames[i].data(), kProbeLen);  // the path wiped it
    raw.time += std::chrono::microseconds(4320);
    path.Process(raw);
    if (++i == kFrames) i = 0;
  }
  if (counters.probe_requests != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("a frame was not counted");
  }
  benchmark::DoNotOptimize(windows);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FramePipeline)->Arg(0)->Arg(1);

// Before timing anything: the accelerated CRC-32 must equal the portable one
// at every length and alignment (the CI smoke run relies on this).
bool CrcPathsAgree() {
  std::vector<std::uint8_t> buf(2600);
  std::uint64_t x = 1;
  for (auto& b : buf) b = static_cast<std::uint8_t>((x = SplitMix(x)) >> 56);
  for (std::size_t off = 0; off < 8; ++off) {
    for (std::size_t n = 0; n + off <= buf.size(); ++n) {
      if (Crc32(buf.data() + off, n) != footfall::Crc32Portable(buf.data() + off, n)) {
        std::fprintf(stderr, "footfall_bench: CRC-32 paths differ (offset %zu, length %zu)\n", off,
                     n);
        return false;
      }
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (!CrcPathsAgree()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
