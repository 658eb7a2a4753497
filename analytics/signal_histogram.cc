// Purpose: the strongest-signal histogram of the estimated devices over the
// last hour (see signal_histogram.h).
#include "analytics/signal_histogram.h"

#include <algorithm>
#include <map>

namespace footfall::analytics {
namespace {

std::int64_t Seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

int SignalBinFloor(int signal_dbm) {
  return static_cast<int>(FloorDiv(signal_dbm, SignalHistogram::kBinDb) * SignalHistogram::kBinDb);
}

SignalHistogram::SignalHistogram(std::chrono::seconds span, std::chrono::seconds step)
    : step_s_(std::max<std::int64_t>(1, step.count())), span_(span) {}

void SignalHistogram::Add(std::chrono::system_clock::time_point t, std::uint64_t device,
                          int signal_dbm) {
  std::int64_t index = FloorDiv(Seconds(t), step_s_);
  if (!slots_.empty() && index < slots_.back().index) index = slots_.back().index;
  if (slots_.empty() || slots_.back().index != index) {
    slots_.push_back(Slot{index, {}});
  }
  const auto signal = static_cast<std::int16_t>(signal_dbm);
  auto [it, inserted] = slots_.back().strongest.emplace(device, signal);
  if (!inserted && signal > it->second) it->second = signal;
}

std::vector<SignalHistogram::Bin> SignalHistogram::Snapshot(
    std::chrono::system_clock::time_point now) {
  const std::int64_t oldest_end = Seconds(now) - span_.count();  // a slot must end after this
  while (!slots_.empty() && (slots_.front().index + 1) * step_s_ <= oldest_end) {
    slots_.pop_front();
  }
  std::unordered_map<std::uint64_t, std::int16_t> strongest;
  for (const Slot& slot : slots_) {
    for (const auto& [device, signal] : slot.strongest) {
      auto [it, inserted] = strongest.emplace(device, signal);
      if (!inserted && signal > it->second) it->second = signal;
    }
  }
  std::map<int, std::uint64_t> bins;
  for (const auto& entry : strongest) ++bins[SignalBinFloor(entry.second)];
  std::vector<Bin> out;
  if (bins.empty()) return out;
  for (int from = bins.begin()->first; from <= bins.rbegin()->first; from += kBinDb) {
    const auto it = bins.find(from);
    out.push_back(Bin{from, it == bins.end() ? 0 : it->second});
  }
  return out;
}

std::size_t SignalHistogram::entries() const {
  std::size_t n = 0;
  for (const Slot& slot : slots_) n += slot.strongest.size();
  return n;
}

}  // namespace footfall::analytics
