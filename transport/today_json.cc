// Purpose: the 15-minute slots of the key epoch and their footfall.today/1
// encoding, with the suppression rules of today_json.h.
#include "transport/today_json.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "transport/disclosure.h"

namespace footfall::transport {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kBuckets[5] = {"under_5m", "5_to_20m", "20_to_60m", "1_to_6h", "over_6h"};

bool Has(const std::vector<std::string>& v, const std::string& name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}

void Hide(std::vector<std::string>& v, const std::string& name) {
  if (!Has(v, name)) v.push_back(name);
}

}  // namespace

DayLog::DayLog(std::chrono::seconds window, std::uint64_t min_count, std::chrono::seconds slot)
    : window_(window), min_count_(min_count), slot_(slot) {}

void DayLog::StartEpoch(TimePoint epoch_start) {
  epoch_start_ = epoch_start;
  since_.reset();
  open_.reset();
  completed_.clear();
  announced_ = false;
}

bool DayLog::Add(const analytics::WindowReport& r) {
  const TimePoint slot_start = analytics::WindowStart(r.start, slot_);
  bool changed = !announced_;
  announced_ = true;
  if (!since_) since_ = r.start;
  if (open_ && open_->start != slot_start) {  // a gap (clock jump): close what was open
    completed_.push_back(std::move(*open_));
    open_.reset();
    changed = true;
  }
  if (!open_) {
    open_ = Slot{};
    open_->start = slot_start;
  }
  Slot& s = *open_;
  const std::vector<std::string> hidden = SuppressedFields(r, min_count_);
  const analytics::PeopleReport& p = r.people;
  ++s.windows;
  s.probe_requests += r.probe_requests;
  s.devices_peak = std::max(s.devices_peak, r.devices);
  s.estimated_peak = std::max(s.estimated_peak, p.estimated_devices);
  s.visitors_peak = std::max(s.visitors_peak, p.visitors);
  s.occupancy_peak = std::max(s.occupancy_peak, p.occupancy);
  s.arrivals += p.arrivals;
  s.passersby += p.passersby;
  const std::uint64_t buckets[5] = {p.engagement.under_5m, p.engagement.from_5_to_20m,
                                    p.engagement.from_20_to_60m, p.engagement.from_1_to_6h,
                                    p.engagement.over_6h};
  for (int i = 0; i < 5; ++i) {
    s.engagement[i] += buckets[i];
    if (Has(hidden, std::string("engagement.") + kBuckets[i])) {
      Hide(s.hidden, std::string("engagement.") + kBuckets[i]);
    }
  }
  s.visitor_visits += p.visitor_visits;
  if (Has(hidden, "arrivals")) Hide(s.hidden, "arrivals");
  if (Has(hidden, "passersby")) Hide(s.hidden, "passersby");
  if (!r.partial && r.end >= slot_start + slot_) {
    completed_.push_back(std::move(s));
    open_.reset();
    changed = true;
  }
  return changed;
}

std::string DayLog::Encode(const SensorIdentity& id) const {
  const auto small = [this](std::uint64_t v) { return min_count_ > 0 && v > 0 && v < min_count_; };
  Json j;
  j["schema"] = kTodaySchema;
  j["site"] = id.site;
  j["sensor"] = id.sensor;
  j["epoch"] = Json{{"start", epoch_start_ ? Json(FormatUtc(*epoch_start_)) : Json(nullptr)}};
  j["slot_s"] = slot_.count();
  j["window_s"] = window_.count();
  j["min_count"] = min_count_;
  j["since"] = since_ ? Json(FormatUtc(*since_)) : Json(nullptr);
  // Complete: every window of the epoch so far was counted by this process
  // (it was running when the epoch began), not restarted in the middle.
  j["complete"] = since_ && epoch_start_ && *since_ <= *epoch_start_;
  Json slots = Json::array();
  for (const Slot& s : completed_) {
    std::vector<std::string> suppressed;
    Json o;
    o["start"] = FormatUtc(s.start);
    o["end"] = FormatUtc(s.start + slot_);
    o["windows"] = s.windows;
    o["probe_requests"] = s.probe_requests;
    const auto peak = [&](const char* name, std::uint64_t v) {
      if (small(v)) {
        suppressed.push_back(name);
        return Json(nullptr);
      }
      return Json(v);
    };
    const auto sum = [&](const std::string& name, std::uint64_t v) {
      if (small(v) || Has(s.hidden, name)) {
        suppressed.push_back(name);
        return Json(nullptr);
      }
      return Json(v);
    };
    o["devices_peak"] = peak("devices_peak", s.devices_peak);
    o["estimated_peak"] = peak("estimated_peak", s.estimated_peak);
    o["visitors_peak"] = peak("visitors_peak", s.visitors_peak);
    o["occupancy_peak"] = peak("occupancy_peak", s.occupancy_peak);
    o["arrivals"] = sum("arrivals", s.arrivals);
    o["passersby"] = sum("passersby", s.passersby);
    Json engagement;
    bool all_buckets = true;
    for (int i = 0; i < 5; ++i) {
      const std::string name = std::string("engagement.") + kBuckets[i];
      engagement[kBuckets[i]] = sum(name, s.engagement[i]);
      if (engagement[kBuckets[i]].is_null()) all_buckets = false;
    }
    // The rate adds nothing to the published passers-by and buckets; with
    // either hidden it would give the hidden one back.
    o["engagement"] = engagement;
    const std::uint64_t closed = s.visitor_visits + s.passersby;
    if (!o["passersby"].is_null() && all_buckets && closed > 0) {
      o["capture_rate"] =
          std::round(static_cast<double>(s.visitor_visits) / static_cast<double>(closed) * 1000.0) /
          1000.0;
    } else {
      o["capture_rate"] = nullptr;
      if (closed > 0) suppressed.push_back("capture_rate");
    }
    if (!suppressed.empty()) o["suppressed"] = suppressed;
    slots.push_back(std::move(o));
  }
  j["slots"] = std::move(slots);
  return j.dump();
}

}  // namespace footfall::transport
