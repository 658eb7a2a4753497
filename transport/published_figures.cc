// Purpose: reads a published counts message back (see published_figures.h).
#include "transport/published_figures.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace footfall::transport {
namespace {

std::optional<std::uint64_t> Count(const nlohmann::json& j, const char* object, const char* key) {
  const nlohmann::json* v = &j;
  if (object != nullptr) {
    auto o = j.find(object);
    if (o == j.end() || !o->is_object()) return std::nullopt;
    v = &*o;
  }
  auto it = v->find(key);
  if (it == v->end() || !it->is_number_unsigned()) return std::nullopt;  // null: hidden
  return it->get<std::uint64_t>();
}

}  // namespace

PublishedFigures ReadPublishedFigures(const std::string& payload) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("window") || !j["window"].is_object()) {
    throw std::invalid_argument("not a counts message");
  }
  PublishedFigures f;
  f.window_start = j["window"].value("start", "");
  f.partial = j["window"].value("partial", false);
  f.probe_requests = Count(j, "frames", "probe_requests").value_or(0);
  f.devices = Count(j, "devices", "unique");
  f.global_mac = Count(j, "devices", "global_mac");
  f.randomized_mac = Count(j, "devices", "randomized_mac");
  f.estimated = Count(j, "devices", "estimated");
  f.visitors = Count(j, nullptr, "visitors");
  return f;
}

std::string Shown(const std::optional<std::uint64_t>& figure) {
  return figure ? std::to_string(*figure) : std::string("hidden");
}

}  // namespace footfall::transport
