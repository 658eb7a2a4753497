// Purpose: the cadence test of fixed-device recognition (see fixed_devices.h).
// Each tracked device keeps its last burst time, a period estimate and a
// score: an interval that is a whole number of periods (within the
// tolerance) adds one and refines the period; any other interval costs
// miss_cost and, once the score is back at 0, makes that interval (if in
// range) the new period to test. The score reaching `evidence` recognises the
// device for the rest of the epoch, or steady_evidence if the bursts' signal
// since the period was set spans at most steady_db. The empty-zone cue keeps
// the start of the device's run of windows heard alone.
#include "analytics/fixed_devices.h"

#include <algorithm>
#include <cmath>

namespace footfall::analytics {

FixedDevices::FixedDevices(FixedDeviceOptions options) : options_(options) {}

void FixedDevices::OnProbe(std::uint64_t identity, std::int64_t t_us,
                           std::optional<int> signal_dbm) {
  Entry& e = table_.Insert(identity);
  if (e.fixed) return;
  if (!e.seen) {
    e.seen = true;
    e.burst_us = t_us;
  } else {
    const std::int64_t since = t_us - e.burst_us;
    if (since < options_.burst_span_us) return;  // the same burst
    e.burst_us = t_us;
    OnInterval(e, static_cast<double>(since) / 1e6);
  }
  if (e.score == 0) e.has_rssi = false;  // a new period to test: a new signal range
  if (signal_dbm) {
    const auto s = static_cast<std::int16_t>(*signal_dbm);
    e.rssi_min = e.has_rssi ? std::min(e.rssi_min, s) : s;
    e.rssi_max = e.has_rssi ? std::max(e.rssi_max, s) : s;
    e.has_rssi = true;
  }
  const bool steady = e.has_rssi && e.rssi_max - e.rssi_min <= options_.steady_db;
  if (e.score >= options_.evidence || (steady && e.score >= options_.steady_evidence)) Recognise(e);
}

void FixedDevices::OnWindow(std::uint64_t identity, std::int64_t start_us, std::int64_t end_us,
                            bool zone_empty) {
  Entry* e = table_.Find(identity);
  if (e == nullptr || e->fixed) return;
  if (!zone_empty) {
    e->alone = false;
    return;
  }
  if (!e->alone) {
    e->alone = true;
    e->empty_since = start_us;
  }
  if (end_us - e->empty_since >= options_.empty_after_us) Recognise(*e);
}

void FixedDevices::Recognise(Entry& e) {
  e.fixed = true;
  ++recognised_;
}

void FixedDevices::OnInterval(Entry& e, double interval) {
  const bool in_range = interval >= options_.min_period_s && interval <= options_.max_period_s;
  if (e.period_s > 0) {
    const double period = e.period_s;
    const double k = std::round(interval / period);
    if (k >= 1 && k <= options_.max_multiple &&
        std::abs(interval - k * period) <= options_.tolerance_s) {
      ++e.score;
      // Refine the period from single intervals only (multiples add their
      // rounding error k times).
      if (k == 1) e.period_s = static_cast<float>(period + 0.25 * (interval - period));
      return;
    }
    e.score = static_cast<std::int16_t>(std::max(0, e.score - options_.miss_cost));
    if (e.score > 0) return;
  }
  e.period_s = in_range ? static_cast<float>(interval) : 0.0f;
}

bool FixedDevices::IsFixed(std::uint64_t identity) const {
  const Entry* e = table_.Find(identity);
  return e != nullptr && e->fixed;
}

void FixedDevices::Expire(std::int64_t now_us) {
  // At every call (once a window), not only once the table has grown: a
  // quiet shop must not keep the day's candidates (issue 15). The rebuild
  // wipes what it drops (FlatMap).
  if (table_.size() == 0) return;
  const std::int64_t horizon = options_.forget_after_us;
  table_.Retain([now_us, horizon](std::uint64_t, const Entry& e) {
    return e.fixed || now_us - e.burst_us <= horizon;
  });
  compacted_ = table_.size();
}

void FixedDevices::Clear() {
  table_.Clear();
  recognised_ = 0;
  compacted_ = 0;
}

}  // namespace footfall::analytics
