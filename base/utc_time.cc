// Purpose: the UTC calendar instant (see utc_time.h).
#include "base/utc_time.h"

#include <time.h>

namespace footfall {

std::chrono::system_clock::time_point Utc(int year, int month, int day, int hour, int minute,
                                          int second) {
  struct tm t {};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  return std::chrono::system_clock::time_point(std::chrono::seconds(timegm(&t)));
}

}  // namespace footfall
