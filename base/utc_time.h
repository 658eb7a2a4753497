// Purpose: the instant of a UTC calendar date and time, with no time zone
// involved (timegm), once for every caller: the simulator's --start and the
// tests' fixed instants.
#pragma once

#include <chrono>

namespace footfall {

// `month` 1..12, `day` 1..31; out-of-range fields roll over as timegm does.
std::chrono::system_clock::time_point Utc(int year, int month, int day, int hour, int minute,
                                          int second = 0);

}  // namespace footfall
