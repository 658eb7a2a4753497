// Purpose: made-up closed windows (analytics::WindowReport) for the tests of
// what is published: one with a given number of devices, and a busy one whose
// people figures a test changes one at a time. No address is involved.
#pragma once

#include <chrono>
#include <cstdint>

#include "analytics/window_counter.h"

namespace footfall::testing {

// A whole minute (2026-11-24T10:00Z) with `global` + `randomized` devices,
// three probe requests each, and a signal when anyone was seen.
inline analytics::WindowReport WindowWithDevices(std::uint64_t global, std::uint64_t randomized) {
  analytics::WindowReport r;
  r.start = std::chrono::system_clock::time_point(std::chrono::seconds(1795514400));
  r.end = r.start + std::chrono::seconds(60);
  r.global_mac = global;
  r.randomized_mac = randomized;
  r.devices = global + randomized;
  r.probe_requests = 3 * r.devices;
  if (r.devices > 0) {
    r.rssi_min = -80;
    r.rssi_median = -70;
    r.rssi_max = -60;
  }
  return r;
}

// A busy window (every count well above 3): 40 devices and consistent people
// figures (visits add up to the engagement bins, departures cover passers-by
// and visits).
inline analytics::WindowReport BusyWindow() {
  analytics::WindowReport r = WindowWithDevices(10, 30);
  analytics::PeopleReport& p = r.people;
  p.estimated_devices = 25;
  p.visitors = 12;
  p.occupancy = 14;
  p.stationary = 4;
  p.arrivals = 9;
  p.passersby = 6;
  p.visitor_visits = 10;
  p.departures = 16;
  p.capture_rate = 10.0 / 16.0;
  p.dwell_p50_s = 900;
  p.dwell_p90_s = 2400;
  p.engagement = {0, 4, 3, 3, 0};
  p.epoch_start = r.start - std::chrono::hours(5);
  p.epoch_devices = 300;
  p.epoch_visitors = 80;
  return r;
}

}  // namespace footfall::testing
