// Purpose: what the fuzz targets run (see frame_path.h): the parser's
// promises that a sanitizer cannot see, then footfalld's frame path
// (daemon::FramePath) and its promises. Nothing here prints frame bytes or
// addresses.
#include "frame_path.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <type_traits>

#include "analytics/signal_histogram.h"
#include "analytics/window_counter.h"
#include "capture/frame_parser.h"
#include "capture/mac_address.h"
#include "capture/test_frames.h"
#include "daemon/frame_path.h"
#include "hashing/pseudonymizer.h"
#include "hashing/rotation.h"
#include "support/key_sources.h"

namespace footfall::fuzz {
namespace {

using capture::AllZero;
using capture::FrameClass;
using capture::MacAddress;
using capture::ParseResult;
using daemon::FrameOutcome;
using std::chrono::seconds;

// 2024-02-08T12:00:00Z: every event is placed relative to it.
const hashing::TimePoint kBase{seconds(1707393600)};
constexpr seconds kWindow{60};

hashing::Pseudonymizer* g_siphash = nullptr;
hashing::Pseudonymizer* g_blake2b = nullptr;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "frame path invariant broken: %s\n", what);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

// The parser may zero one transmitter address in the buffer and must change
// nothing else: every changed byte lies in one run of at most 6 bytes, all
// of which are now zero.
void CheckOnlyAddressWiped(const std::uint8_t* before, const std::uint8_t* after, std::size_t len) {
  std::size_t first = len;
  std::size_t last = 0;
  for (std::size_t i = 0; i < len; ++i) {
    if (before[i] != after[i]) {
      if (first == len) first = i;
      last = i;
    }
  }
  if (first == len) return;
  Check(last - first < MacAddress::kSize, "parser changed bytes other than one address");
  for (std::size_t i = first; i <= last; ++i) {
    Check(after[i] == 0, "parser wrote a non-zero byte into the frame");
  }
}

// The transmitter that ParseFrame returned sits somewhere before the
// information elements in the original frame, and is zero there now.
void CheckTransmitterWiped(const std::uint8_t* before, const std::uint8_t* after,
                           std::size_t ies_off, const MacAddress& tx) {
  if (tx.empty()) return;  // an all-zero address: nothing visible to wipe
  for (std::size_t o = 0; o + MacAddress::kSize <= ies_off; ++o) {
    if (std::memcmp(before + o, tx.data(), MacAddress::kSize) != 0) continue;
    bool zero = true;
    for (std::size_t i = 0; i < MacAddress::kSize; ++i) zero = zero && after[o + i] == 0;
    if (zero) return;
  }
  Fail("probe request transmitter still in the buffer");
}

void CheckInformationElements(const std::uint8_t* buf, std::size_t caplen,
                              const capture::ProbeRequest& probe) {
  Check(probe.ies != nullptr, "probe request without an IE pointer");
  Check(probe.ies >= buf && probe.ies <= buf + caplen, "IEs outside the frame");
  Check(probe.ies_len <= static_cast<std::size_t>(buf + caplen - probe.ies),
        "IEs run past the frame");
  // Only whole elements: id(1) len(1) data(len), ending exactly at ies_len.
  std::size_t off = 0;
  while (off < probe.ies_len) {
    Check(off + 2 <= probe.ies_len, "IE header cut at the end of ies_len");
    off += 2 + probe.ies[off + 1];
  }
  Check(off == probe.ies_len, "last IE overruns ies_len");
}

void CheckReport(const analytics::WindowReport& w, FrameOutcome outcome,
                 std::optional<int> signal_dbm) {
  const bool counted = outcome == FrameOutcome::kCounted;
  Check(w.end > w.start, "window ends before it starts");
  Check(w.probe_requests == (counted ? 1u : 0u), "probe request count");
  Check(w.devices == (counted ? 1u : 0u), "device count");
  Check(w.global_mac + w.randomized_mac == w.devices, "global + randomized != devices");
  Check(w.malformed == (outcome == FrameOutcome::kMalformed ? 1u : 0u), "malformed count");
  Check(w.bad_fcs == (outcome == FrameOutcome::kBadFcs ? 1u : 0u), "bad FCS count");
  Check(w.below_rssi_floor == (outcome == FrameOutcome::kBelowFloor ? 1u : 0u),
        "below-floor count");
  // A signal in the plausible range is always counted; one outside it may be
  // dropped as absent (issue 3), but nothing can appear without a signal.
  const bool rssi = w.rssi_min.has_value();
  Check(w.rssi_max.has_value() == rssi && w.rssi_median.has_value() == rssi,
        "RSSI min, median and max not all present or absent");
  Check(!rssi || (counted && signal_dbm.has_value()), "RSSI without a counted signal");
  Check(rssi || !counted || !signal_dbm || *signal_dbm < -120 || *signal_dbm > 0,
        "a plausible signal was not counted");
  if (rssi) {
    Check(*w.rssi_min == *w.rssi_max, "one signal, but min != max");
    Check(*w.rssi_median == static_cast<double>(*w.rssi_min), "one signal, but median != min");
  }
}

// The counter of each outcome; every other class counter must stay at 0.
std::uint64_t CounterOf(const daemon::RunCounters& c, FrameOutcome outcome) {
  switch (outcome) {
    case FrameOutcome::kCounted:
      return c.probe_requests;
    case FrameOutcome::kBelowFloor:
      return c.below_rssi_floor;
    case FrameOutcome::kCrossRadioCopy:
      return c.cross_radio_duplicates;
    case FrameOutcome::kOther:
      return c.other;
    case FrameOutcome::kMalformed:
      return c.malformed;
    case FrameOutcome::kBadFcs:
      return c.bad_fcs;
  }
  return 0;
}

void CheckCounters(const daemon::RunCounters& c, FrameOutcome outcome, std::uint64_t copies) {
  constexpr FrameOutcome kAll[] = {FrameOutcome::kCounted,        FrameOutcome::kBelowFloor,
                                   FrameOutcome::kCrossRadioCopy, FrameOutcome::kOther,
                                   FrameOutcome::kMalformed,      FrameOutcome::kBadFcs};
  for (FrameOutcome o : kAll) {
    const std::uint64_t expected =
        (o == outcome ? 1u : 0u) + (o == FrameOutcome::kCrossRadioCopy ? copies : 0u);
    Check(CounterOf(c, o) == expected, "the outcome's counter did not move alone");
  }
  Check(c.bad_fcs_flagged + c.bad_fcs_mismatch == c.bad_fcs, "bad FCS kinds do not add up");
}

// The outcome the path must reach for a frame the parser classed as `r`.
FrameOutcome ExpectedOutcome(const ParseResult& r, std::optional<int> floor) {
  switch (r.frame_class) {
    case FrameClass::kProbeRequest:
      if (floor && (!r.probe.radio.signal_dbm || *r.probe.radio.signal_dbm < *floor)) {
        return FrameOutcome::kBelowFloor;
      }
      return FrameOutcome::kCounted;
    case FrameClass::kOther:
      return FrameOutcome::kOther;
    case FrameClass::kMalformed:
      return FrameOutcome::kMalformed;
    case FrameClass::kBadFcs:
      return FrameOutcome::kBadFcs;
  }
  Fail("unknown frame class");
}

// Promises of the fields frame_parser.h gained with issue 3 (signal range,
// band, outcome of the FCS check). Detected rather than named, so that the
// targets build against the parser with and without them.
template <typename T, typename = void>
struct HasSignalRange : std::false_type {};
template <typename T>
struct HasSignalRange<T, std::void_t<decltype(T::signal_out_of_range)>> : std::true_type {};
template <typename T, typename = void>
struct HasBand : std::false_type {};
template <typename T>
struct HasBand<T, std::void_t<decltype(T::band)>> : std::true_type {};
template <typename T, typename = void>
struct HasFcsCheck : std::false_type {};
template <typename T>
struct HasFcsCheck<T, std::void_t<decltype(T::fcs)>> : std::true_type {};

template <typename Result>
void CheckRadioAndFcs(const Result& r, bool cut_by_snaplen) {
  const auto& radio = r.probe.radio;
  using Radio = std::decay_t<decltype(radio)>;
  if constexpr (HasSignalRange<Radio>::value) {
    // kMinSignalDbm..kMaxSignalDbm: out-of-range values are dropped, not kept.
    Check(!radio.signal_dbm || (*radio.signal_dbm >= -120 && *radio.signal_dbm <= 0),
          "signal outside -120..0 dBm kept");
  }
  if constexpr (HasBand<Radio>::value) {
    Check(radio.frequency_mhz || radio.band == decltype(radio.band){},
          "a band without a frequency");
  }
  if constexpr (HasFcsCheck<Result>::value) {
    using Fcs = decltype(r.fcs);
    const bool bad = r.fcs == Fcs::kFlaggedBad || r.fcs == Fcs::kMismatch;
    Check(bad == (r.frame_class == FrameClass::kBadFcs), "FCS outcome disagrees with the class");
    // A probe request whose whole FCS was captured must have been checked.
    if (r.frame_class == FrameClass::kProbeRequest && radio.has_fcs && !cut_by_snaplen) {
      Check(r.fcs == Fcs::kGood, "probe request with an FCS that was not checked");
    }
  }
}

// The process-wide state (see LLVMFuzzerInitialize in frame_path.h).
void InitFramePath() {
  const auto schedule = [] { return hashing::MakePeriodicSchedule(std::chrono::hours(24)); };
  // Deliberately never freed: they live for the whole fuzzing process.
  g_siphash =
      new hashing::Pseudonymizer(hashing::Algorithm::kSipHash24, schedule(),
                                 std::make_unique<footfall::testing::TestKeySource>(), kBase);
  g_blake2b =
      new hashing::Pseudonymizer(hashing::Algorithm::kBlake2b, schedule(),
                                 std::make_unique<footfall::testing::TestKeySource>(), kBase);
}

}  // namespace

void RunFramePath(int link_type, const std::uint8_t* frame, std::size_t caplen,
                  std::size_t wirelen) {
  if (g_siphash == nullptr) Fail("LLVMFuzzerInitialize() was not called");
  // 1. The parser alone. A heap block of exactly caplen bytes (even 0): ASan
  // reports any access past it. The parser gets this copy, the original
  // stays for comparison. An empty frame is passed as a null pointer every
  // other time.
  const std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[caplen]);
  if (caplen > 0) std::memcpy(buf.get(), frame, caplen);
  std::uint8_t* const data = (caplen == 0 && wirelen % 2 == 1) ? nullptr : buf.get();

  const ParseResult r = capture::ParseFrame(link_type, data, caplen, wirelen);
  CheckOnlyAddressWiped(frame, buf.get(), caplen);
  CheckRadioAndFcs(r, wirelen > caplen);
  switch (r.frame_class) {
    case FrameClass::kProbeRequest:
      Check(r.reason == nullptr, "probe request with a reason");
      Check(!r.probe.transmitter.group(), "group transmitter accepted");
      CheckInformationElements(buf.get(), caplen, r.probe);
      CheckTransmitterWiped(frame, buf.get(), static_cast<std::size_t>(r.probe.ies - buf.get()),
                            r.probe.transmitter);
      break;
    case FrameClass::kOther:
      Check(r.reason == nullptr, "ignored frame with a reason");
      break;
    case FrameClass::kMalformed:
      Check(r.reason != nullptr && std::strlen(r.reason) > 0, "malformed frame without a reason");
      break;
    case FrameClass::kBadFcs:
      Check(r.reason != nullptr && std::strlen(r.reason) > 0, "bad FCS without a reason");
      break;
    default:
      Fail("unknown frame class");
  }

  // 2. footfalld's frame path, on a second exact-size copy. The capture's
  // clock: TSFT (when present) spreads events over one day. The input's
  // length picks the key's algorithm, whether a signal floor (-60 or -90
  // dBm) applies and whether two radios deliver it.
  hashing::TimePoint t = kBase;
  if (r.probe.radio.tsft_us) {
    t += std::chrono::microseconds(*r.probe.radio.tsft_us % (86400ULL * 1000 * 1000));
  }
  daemon::FramePathOptions options;
  if ((caplen >> 1) & 1) options.min_rssi_dbm = ((caplen >> 3) & 1) ? -90 : -60;
  options.several_sources = ((caplen >> 2) & 1) != 0;
  hashing::Pseudonymizer& keys = (caplen % 2 == 0) ? *g_siphash : *g_blake2b;
  int keys_asked = 0;
  std::optional<analytics::WindowReport> report;
  analytics::WindowCounter windows(kWindow, [&](const analytics::WindowReport& w) {
    Check(!report.has_value(), "one event, several windows");
    report = w;
  });
  analytics::SignalHistogram signal;
  daemon::RunCounters counters;
  daemon::FramePath path(
      options,
      [&](capture::TimePoint at) -> hashing::Pseudonymizer& {
        ++keys_asked;
        keys.AdvanceTo(at);
        return keys;
      },
      windows, signal, counters);

  const std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[caplen]);
  if (caplen > 0) std::memcpy(copy.get(), frame, caplen);
  capture::RawFrame raw;
  raw.time = t;
  raw.link_type = link_type;
  raw.data = data == nullptr ? nullptr : copy.get();
  raw.caplen = caplen;
  raw.wirelen = wirelen;
  const std::uint64_t prf_before = keys.prf_evaluations();
  const FrameOutcome expected = ExpectedOutcome(r, options.min_rssi_dbm);
  const FrameOutcome outcome = path.Process(raw);
  Check(outcome == expected, "the path's outcome disagrees with the parser and the floor");
  Check(AllZero(copy.get(), caplen), "frame not wiped after the path");
  const bool hashed = outcome == FrameOutcome::kCounted;
  Check(keys.prf_evaluations() - prf_before == (hashed ? 1u : 0u),
        "a frame the path did not count was hashed, or a counted one was not");
  Check(keys_asked == (hashed ? 1 : 0), "the key was asked for a frame that is not hashed");

  // The same transmission from the second radio, a millisecond later: a copy.
  std::uint64_t copies = 0;
  if (options.several_sources && hashed) {
    std::memcpy(copy.get(), frame, caplen);
    raw.time = t + std::chrono::milliseconds(1);
    raw.source_index = 1;
    Check(path.Process(raw) == FrameOutcome::kCrossRadioCopy,
          "the second radio's copy was counted");
    Check(AllZero(copy.get(), caplen), "copy not wiped after the path");
    ++copies;
  }
  CheckCounters(counters, outcome, copies);

  if (outcome == FrameOutcome::kOther) {
    windows.Flush(t);  // nothing started: nothing to emit
    Check(!report.has_value(), "a window without events");
    return;
  }
  // Alternate between a window flushed early (partial, unless the flush
  // falls on its end) and one closed on time. (A copy never reaches the window.)
  if (caplen % 3 == 0) {
    windows.Flush(t + std::chrono::microseconds(1));
    Check(report.has_value(), "flush emitted no window");
  } else {
    windows.AdvanceTo(analytics::WindowStart(t, kWindow) + kWindow);
    Check(report.has_value() && !report->partial, "window did not close");
  }
  CheckReport(*report, outcome, r.probe.radio.signal_dbm);
}

}  // namespace footfall::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  footfall::fuzz::InitFramePath();
  return 0;
}
