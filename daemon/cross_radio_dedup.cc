// Purpose: CrossRadioDedup (see cross_radio_dedup.h). Entries are forgotten
// once they are two windows older than the newest frame, so memory holds at
// most the frames of the last 200 ms.
#include "daemon/cross_radio_dedup.h"

namespace footfall::daemon {

CrossRadioDedup::CrossRadioDedup(std::chrono::milliseconds window) : window_(window) {}

bool CrossRadioDedup::IsCopy(TimePoint t, std::uint64_t pseudonym, std::uint16_t sequence,
                             std::size_t source) {
  const Key key{pseudonym, sequence};
  if (auto it = last_.find(key); it != last_.end()) {
    const Heard& heard = it->second;
    const auto apart = t > heard.t ? t - heard.t : heard.t - t;
    if (heard.source != source && apart <= window_) return true;
  }
  last_[key] = Heard{t, source};
  order_.emplace_back(t, key);
  if (t > newest_) newest_ = t;
  const TimePoint horizon = newest_ - 2 * window_;
  while (!order_.empty() && order_.front().first < horizon) {
    auto it = last_.find(order_.front().second);
    // Only if that reception is still the latest one of its key.
    if (it != last_.end() && it->second.t == order_.front().first) last_.erase(it);
    order_.pop_front();
  }
  return false;
}

}  // namespace footfall::daemon
