// Purpose: people-level analytics on the sensor. Randomized pseudonyms are
// grouped into estimated physical devices (keyed fingerprint of the probe
// request's information elements, sequence-number continuity across a MAC
// change, burst timing and signal); each estimated device's sightings form
// visits (visitor, passer-by, stationary), and distinct devices and visitors
// of the key epoch are kept in bounded sketches. Memory is bounded by the
// devices present within the expiry horizon, not by the length of the day.
#pragma once

#include <chrono>
#include <cstdint>

namespace footfall::analytics {

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
};

}  // namespace footfall::analytics
