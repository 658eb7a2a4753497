// Purpose: encodes a clock jump as the footfall.clock/1 JSON message.
#include "transport/clock_jump_json.h"

#include <nlohmann/json.hpp>

namespace footfall::transport {

std::string EncodeClockJump(const SensorIdentity& id, std::uint64_t seq,
                            const capture::ClockJump& jump,
                            std::chrono::system_clock::time_point resume,
                            const std::string& source) {
  const double by_s = std::chrono::duration<double>(jump.by).count();
  nlohmann::ordered_json j = {
      {"schema", kClockSchema},   {"site", id.site},
      {"sensor", id.sensor},      {"seq", seq},
      {"clock", source},          {"direction", by_s >= 0 ? "forward" : "backward"},
      {"jump_s", by_s},           {"from", FormatUtc(jump.from)},
      {"to", FormatUtc(jump.to)}, {"resume", FormatUtc(resume)},
  };
  return j.dump();
}

}  // namespace footfall::transport
