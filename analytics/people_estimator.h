// Purpose: people-level analytics on the sensor. Randomized pseudonyms are
// grouped into estimated physical devices (keyed fingerprint of the probe
// request's information elements, sequence-number continuity across a MAC
// change, burst timing and signal); each estimated device's sightings form
// visits (visitor, passer-by, stationary), and distinct devices and visitors
// of the key epoch are kept in bounded sketches. Memory is bounded by the
// devices present within the expiry horizon, not by the length of the day.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "analytics/distinct_counter.h"
#include "analytics/fixed_devices.h"
#include "analytics/flat_map.h"
#include "hashing/pseudonymizer.h"
#include "hashing/wiping_allocator.h"

namespace footfall::analytics {

using TimePoint = std::chrono::system_clock::time_point;
struct PeopleReport;

// [analytics] settings (config/footfall.toml documents them).
struct PeopleOptions {
  // A visit continues while the gaps between sightings stay under this.
  std::chrono::seconds visit_gap{300};
  // A visit is a visitor visit if its strongest signal reached this ...
  int visitor_rssi_dbm = -70;
  // ... and it lasted at least this; every other visit is a passer-by's.
  std::chrono::seconds min_visit{300};
  // Present longer than this: staff or fixed equipment, reported apart.
  std::chrono::seconds stationary_after{6 * 3600};
  // A device heard at this signal or stronger in a window is inside the zone
  // then: counted in the window's occupancy (no minimum dwell) unless fixed.
  int inside_rssi_dbm = -70;
};

// What a probe request reveals beyond its pseudonym, for grouping.
struct ProbeTraits {
  // Keyed hash of the model signature (capture::IeSignature), under the same
  // key as the pseudonym. 0 with has_fingerprint false: unknown.
  bool has_fingerprint = false;
  std::uint64_t fingerprint = 0;
  std::uint16_t sequence = 0;  // 802.11 sequence number (12 bits)
  // Length of the frame's information elements: a frame of a known MAC whose
  // elements are as long as its previous frame's is taken to have the same
  // signature (NeedsFingerprint). 0: unknown.
  std::uint16_t ies_len = 0;
  // A directed probe (it asks for a network by name).
  bool directed = false;
  // For a signature that ends with vendor elements, the keyed hash of the
  // signature without them (capture::WithoutTrailingVendorElements), taken
  // with the fingerprint: of a directed probe, the model of its phone's
  // broadcast probes; of any, its model's family (models that differ only in
  // such elements, as phones that add their own WPS or UUID element).
  bool has_base = false;
  std::uint64_t base_fingerprint = 0;
};

class PeopleEstimator final {
 public:
  explicit PeopleEstimator(PeopleOptions options = {});

  // What a sighting meant for the window's distinct-pseudonym count.
  struct Sighting {
    bool new_in_window = false;      // the pseudonym's first probe in this window
    bool carried_in_window = false;  // its previous-epoch pseudonym was seen in it
  };
  // One valid probe request. Events come in time order (a late one is
  // treated as happening at the latest time seen).
  Sighting OnProbe(TimePoint t, const hashing::Pseudonym& who, const ProbeTraits& traits,
                   std::optional<int> signal_dbm);

  // Ends the window that ends at `end`: closes the visits whose last sighting
  // is more than visit_gap before `end`, counts those still open, fills the
  // people fields of `out`, forgets the devices whose visit closed, and
  // starts the next window's counts.
  void CloseWindow(TimePoint end, PeopleReport& out);

  // A new key epoch began at `start`: the epoch's distinct counts restart.
  // Unless `keep_devices` (the previous key is carried over, so devices
  // present can be recognised), every open visit is closed now and all
  // grouping state, which was keyed under the retired key, is dropped.
  void StartEpoch(TimePoint start, bool keep_devices);

  // Whether OnProbe needs the fingerprint of a frame from `pseudonym` whose
  // elements are `ies_len` bytes long: for a new MAC, to group it (random)
  // or to tell a per-network address (global); for a known randomized one
  // whose elements' length changed since its last frame, to learn that one
  // phone sends both signatures (band, directed probes: the two
  // fingerprints are then one model for the epoch).
  bool NeedsFingerprint(std::uint64_t pseudonym, std::size_t ies_len) const;
  // The estimated device `pseudonym` belongs to, as the opaque identity the
  // epoch sketches count (never a MAC); none if it is not tracked. For the
  // signal view (signal_histogram.h).
  std::optional<std::uint64_t> DeviceOf(std::uint64_t pseudonym) const;

  const PeopleOptions& options() const { return options_; }
  std::size_t tracked_devices() const { return devices_.size() - free_.size(); }
  std::size_t tracked_pseudonyms() const { return pseudonyms_.size(); }
  // Entries of the linking indexes (sequence buckets, bursts): like the
  // tables above, 0 once every visit has closed.
  std::size_t tracked_index_entries() const;
  // Test hook: whether every freed device slot is all zero (but for its
  // generation and "no bucket" mark): nothing of a forgotten device is left.
  bool FreedSlotsAreWipedForTest() const;

 private:
  // What is learnt about the devices of one model fingerprint.
  struct Group {
    std::uint64_t new_macs = 0;  // new randomized pseudonyms
    std::uint64_t devices = 0;   // ... that started a device
    std::uint64_t strong = 0;    // ... linked by sequence continuity
    std::uint64_t live = 0;      // devices of the model tracked now
    double chance = 0;           // strong links expected by chance alone
    // Signal jumps (dB, 0..48) between consecutive bursts of the model's
    // devices that kept their MAC, decayed per window, and the weak links'
    // tolerance they give (-1: too few; the crowd's is borrowed).
    std::array<float, 49> jumps{};
    float jumps_seen = 0;
    int own_tolerance = -1;
    bool misfit = false;  // the crowd's tolerance refuses most of its links: none
    // For each new MAC with a candidate in reach, the smallest signal jump to
    // one (decayed per window): whether a tolerance borrowed from the rest of
    // the crowd fits this model.
    std::array<float, 49> nearest{};
    float nearest_seen = 0;
    // Its family: the fingerprint of its signature without the vendor
    // elements at its end (ProbeTraits::base_fingerprint), else its own.
    std::uint64_t family = 0;
    // Strong links beyond those expected by chance.
    double Followed() const { return static_cast<double>(strong) - chance; }
  };
  enum class GroupKind { kExact, kCalibrating, kAmbiguous };
  struct Device {
    std::uint64_t fingerprint = 0;
    Group* group = nullptr;             // its model's (randomized devices only)
    std::uint64_t identity = 0;         // key in the epoch sketches
    std::int64_t last_us = 0;           // last sighting
    std::int64_t burst_us = 0;          // first sighting of the current burst
    std::int64_t first_us = 0;          // first sighting of the open visit
    std::int64_t inside_us = 0;         // last sighting at inside_rssi_dbm or stronger, 0: none
    std::int64_t window_first_us = 0;   // first sighting in window `window`
    std::uint64_t current_mac = 0;      // pseudonym of its latest MAC
    std::int64_t current_since_us = 0;  // ... first heard then
    float interval_s = 0;               // running mean of the gaps between its bursts, 0: none yet
    std::uint32_t generation = 0;
    std::uint32_t window = 0;       // serial of the last window that counted it
    std::uint16_t window_macs = 0;  // pseudonyms it used in that window
    std::uint16_t macs = 0;         // pseudonyms it used in all (saturating)
    std::uint16_t last_seq = 0;
    std::uint16_t ies_len = 0;     // of its latest frame
    std::int16_t seq_bucket = -1;  // bucket it is indexed under, -1: none
    std::int16_t last_rssi = 0;
    std::int16_t max_rssi = kNoSignal;     // strongest signal of the open visit
    std::int16_t window_rssi = kNoSignal;  // strongest signal in window `window`
    bool alive = false;
    bool randomized = false;
    bool has_rssi = false;
    bool visit_open = false;
    bool counted_visitor = false;  // this visit is in the epoch's visitors
    bool current_linked = false;   // its latest MAC was linked to it (not its first)
    // For PerNetworkAddress: every frame a directed probe; a MAC heard again
    // in a later burst; the fingerprint of its phone's broadcast model.
    bool directed_only = false;
    bool kept_mac = false;
    bool has_scan_model = false;
    std::uint64_t scan_model = 0;
  };
  struct PseudonymEntry {  // 16 bytes: the table is the per-frame cache miss
    std::uint32_t device = 0;
    std::uint32_t generation = 0;
    std::uint32_t window = 0;  // serial of the last window it was used in
    std::uint32_t last_s = 0;  // last sighting, seconds since the Unix epoch
  };
  struct BurstEntry {  // a device that began a burst at `burst_us`
    std::uint32_t device = 0;
    std::int64_t burst_us = 0;
  };
  GroupKind KindOf(const Group& g) const;
  static constexpr std::int16_t kNoSignal = -1000;
  std::size_t pseudonyms_compacted_ = 0;  // table sizes after the last compaction
  std::size_t index_entries_ = 0;         // entries in bursts_
  std::size_t index_compacted_ = 0;
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  // The device a new randomized MAC of model `g` (traits.fingerprint's) is
  // linked to, or kNone.
  std::uint32_t Link(std::int64_t t, const ProbeTraits& traits, std::optional<int> signal, Group& g,
                     bool* strong);
  std::uint64_t EstimateWindowDevices(std::int64_t end);
  void SplitCurrent(std::uint32_t index);
  std::uint32_t NewDevice(std::int64_t t, const hashing::Pseudonym& who, const ProbeTraits& traits);
  void Touch(std::uint32_t index, std::int64_t t, const ProbeTraits& traits,
             std::optional<int> signal, bool same_mac);
  void UpdateJumpTolerance();
  std::uint64_t ModelOf(std::uint64_t fingerprint);
  std::uint64_t FindModel(std::uint64_t fingerprint) const;  // ModelOf, the chain left as it is
  bool PerNetworkAddress(const Device& d) const;
  template <typename Heard>
  hashing::WipedHashSet ScanningModels(Heard heard) const;
  bool CountedApart(const Device& d, const hashing::WipedHashSet& scanning) const;
  void MergeModels(std::uint64_t keep, std::uint64_t other);
  void CloseVisit(Device& d);
  bool Qualifies(const Device& d) const;
  bool Fixed(const Device& d) const;
  std::uint64_t CountOccupancy() const;
  std::uint64_t SmoothOccupancy(std::uint64_t count);
  void NoteWhoIsAlone(std::int64_t end);
  bool Valid(const PseudonymEntry& e) const;
  void Free(std::uint32_t index);
  void Unindex(std::uint32_t index);
  void Sweep(std::int64_t end);
  static std::uint64_t SeqKey(std::uint64_t fingerprint, int bucket);

  PeopleOptions options_;
  std::int64_t gap_us_;  // options_ in microseconds, the unit of the device times
  std::int64_t min_visit_us_;
  std::int64_t stationary_us_;
  std::int64_t weak_horizon_us_;
  std::int64_t latest_us_ = 0;
  std::int64_t window_start_us_ = 0;  // of the window in progress; 0: at its first probe
  // Expiry and wiping (issue 15): everything below that describes a device
  // is dropped when the device's visit closes, or a pseudonym when unseen for
  // visit_gap, at the next window's end; freed slots and freed memory are
  // zeroed (Free, hashing::WipingAllocator).
  hashing::WipedVector<Device> devices_;
  std::vector<std::uint32_t> free_;
  FlatMap<PseudonymEntry> pseudonyms_;
  // Devices with a fingerprint, by (fingerprint, last sequence number / 32).
  hashing::WipedHashMap<hashing::WipedVector<std::uint32_t>> by_seq_;
  // Devices with a fingerprint in the order their bursts began.
  hashing::WipedHashMap<hashing::WipedDeque<BurstEntry>> bursts_;
  hashing::WipedHashMap<Group> groups_;  // by fingerprint, this epoch
  // Fingerprints one MAC was heard with after another: the same model, this
  // epoch. Each points to the fingerprint it was merged into (ModelOf
  // follows the chain to the model's fingerprint, the key of groups_).
  hashing::WipedHashMap<std::uint64_t> merged_into_;
  // MACs and the devices (chains) that used them, pooled over recent
  // windows: each window's added to the decayed sum of the ones before.
  struct MacPool {
    double macs = 0;
    double chains = 0;
    void Decay(double factor) {
      macs *= factor;
      chains *= factor;
    }
    void Add(double more_macs, double more_chains) {
      macs += more_macs;
      chains += more_chains;
    }
  };
  double macs_per_device_ = 0;  // calibration: MACs per device per window; 0: none yet
  MacPool calibration_;         // of the followable per-burst randomizers' devices
  MacPool singles_;             // of the models seen as one device
  // ... and per family (Group::family): the rate of the family's phones that
  // stand apart by elements of their own.
  hashing::WipedHashMap<MacPool> family_rates_;
  // Signal jumps (dB) between consecutive bursts of every device that kept
  // its MAC, decayed per window: the crowd's tolerance, borrowed by the
  // models without evidence of their own while it fits them.
  std::array<double, 49> jumps_{};
  double jumps_seen_ = 0;
  int jump_tolerance_ = 48;
  std::uint64_t next_identity_ = 1;

  // The window in progress.
  std::uint32_t window_ = 1;
  std::uint64_t arrivals_ = 0;
  std::uint64_t departures_ = 0;
  std::uint64_t passersby_ = 0;
  double occupancy_ = -1;  // the smoothed occupancy (an aggregate, no device); < 0: none yet
  hashing::WipedVector<double> visitor_dwell_s_;

  TimePoint epoch_start_{};
  DistinctCounter epoch_devices_;
  DistinctCounter epoch_visitors_;
  FixedDevices fixed_;  // recognised fixed devices of this epoch (global addresses)
};

}  // namespace footfall::analytics
