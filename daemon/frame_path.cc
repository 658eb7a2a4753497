// Purpose: FramePath::Process (see frame_path.h): parse -> signal floor ->
// pseudonymize and wipe -> cross-radio dedup -> fingerprint -> analytics, for
// one frame, with every drop counted.
#include "daemon/frame_path.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "capture/frame_parser.h"
#include "capture/ie_signature.h"
#include "capture/mac_address.h"

namespace footfall::daemon {

FramePath::FramePath(FramePathOptions options, Keys keys, analytics::WindowCounter& windows,
                     analytics::SignalHistogram& signal, RunCounters& counters)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      windows_(windows),
      signal_(signal),
      counters_(counters) {}

FrameOutcome FramePath::Process(capture::RawFrame& frame) {
  // When the frame has been used (the address hashed, the model fingerprint
  // taken from its elements), nothing of it stays in libpcap's buffer: not
  // the SSIDs, not addr1/addr3, not any other element. Every frame class,
  // also when hashing throws.
  struct WipeOnExit {
    capture::RawFrame& f;
    ~WipeOnExit() { capture::SecureWipe(f.data, f.caplen); }
  } wipe{frame};
  const capture::TimePoint t = frame.time;
  capture::ParseResult r =
      capture::ParseFrame(frame.link_type, frame.data, frame.caplen, frame.wirelen);
  switch (r.frame_class) {
    case capture::FrameClass::kProbeRequest:
      break;
    case capture::FrameClass::kOther:
      ++counters_.other;
      return FrameOutcome::kOther;
    case capture::FrameClass::kMalformed:
      ++counters_.malformed;
      windows_.OnMalformed(t);
      spdlog::debug("malformed frame skipped: {}", r.reason != nullptr ? r.reason : "?");
      return FrameOutcome::kMalformed;
    case capture::FrameClass::kBadFcs:
      ++counters_.bad_fcs;
      ++(r.fcs == capture::FcsCheck::kFlaggedBad ? counters_.bad_fcs_flagged
                                                 : counters_.bad_fcs_mismatch);
      windows_.OnBadFcs(t);
      return FrameOutcome::kBadFcs;
  }
  capture::ProbeRequest& probe = r.probe;
  if (probe.radio.signal_out_of_range) ++counters_.signal_out_of_range;

  // The signal floor. Weaker than the floor (or of unknown strength): most
  // likely outside the store. Dropped before the address is hashed; only counted.
  if (options_.min_rssi_dbm &&
      (!probe.radio.signal_dbm || *probe.radio.signal_dbm < *options_.min_rssi_dbm)) {
    probe.transmitter.Wipe();
    ++counters_.below_rssi_floor;
    windows_.OnBelowRssiFloor(t);
    return FrameOutcome::kBelowFloor;
  }

  // Pseudonymize; the address is wiped.
  hashing::Pseudonymizer& keys = keys_(t);
  const hashing::Pseudonym who = keys.Pseudonymize(probe.transmitter);

  // Cross-radio dedup. With one source no frame can arrive twice: skip the bookkeeping.
  if (options_.several_sources &&
      duplicates_.IsCopy(t, who.value, probe.sequence, frame.source_index)) {
    ++counters_.cross_radio_duplicates;  // another radio delivered it first
    return FrameOutcome::kCrossRadioCopy;
  }
  ++counters_.probe_requests;
  // The most verbose level shows what was used, never who sent it.
  if (spdlog::should_log(spdlog::level::trace)) {
    spdlog::trace("probe request: {} MAC, signal {} dBm, {} MHz",
                  who.randomized ? "randomized" : "global",
                  probe.radio.signal_dbm ? std::to_string(*probe.radio.signal_dbm) : "-",
                  probe.radio.frequency_mhz ? std::to_string(*probe.radio.frequency_mhz) : "-");
  }

  // Fingerprint. The model signature groups a new randomized MAC into a
  // device, and tells a global MAC kept for one network (a per-network
  // address) from a phone's scans; it is hashed under the pseudonym key at
  // once and never kept in the clear. A known pseudonym already has its
  // device (most frames): its fingerprint is needed only when a randomized
  // MAC's elements' length changed (NeedsFingerprint), to learn a phone's
  // second signature.
  // Vendor elements at the end of a signature are hashed apart too: the
  // signature without them is a directed probe's broadcast model (a
  // per-network address, PeopleEstimator::PerNetworkAddress), and any
  // model's family (phones that add elements of their own, whose rate
  // counts their model's crowd).
  analytics::ProbeTraits traits;
  traits.sequence = probe.sequence;
  traits.ies_len = static_cast<std::uint16_t>(probe.ies_len);
  traits.directed = probe.ies_len >= 2 && probe.ies[0] == 0 && probe.ies[1] > 0;  // SSID
  if (windows_.people().NeedsFingerprint(who.value, probe.ies_len)) {
    std::uint8_t signature[capture::kIeSignatureMax];
    const std::size_t n = capture::IeSignature(probe.ies, probe.ies_len, signature);
    traits.has_fingerprint = n > 0;
    traits.fingerprint = keys.Fingerprint(signature, n);
    const std::size_t base = capture::WithoutTrailingVendorElements(signature, n);
    if (base > 0 && base < n) {
      traits.has_base = true;
      traits.base_fingerprint = keys.Fingerprint(signature, base);
    }
  }

  // Analytics: the window, and the signal view by estimated device.
  windows_.OnProbe(t, who, probe.radio.signal_dbm, traits);
  if (probe.radio.signal_dbm) {
    if (auto device = windows_.people().DeviceOf(who.value)) {
      signal_.Add(t, *device, *probe.radio.signal_dbm);
    }
  }
  return FrameOutcome::kCounted;
}

}  // namespace footfall::daemon
