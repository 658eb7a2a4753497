// Purpose: the wire format of a clock jump (schema footfall.clock/1, topic
// <prefix>/<site>/<sensor>/clock): the one message published instead of the
// windows a jump of the sensor's clock skipped (forward) or would have
// repeated (backward). docs/mqtt.md and docs/schema/clock-v1.json document it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "capture/clock.h"
#include "transport/counts_json.h"

namespace footfall::transport {

inline constexpr const char* kClockSchema = "footfall.clock/1";

// `source`: "system" (a live sensor's wall clock) or "capture" (a replay's
// timestamps). `resume`: where windows start again.
std::string EncodeClockJump(const SensorIdentity& id, std::uint64_t seq,
                            const capture::ClockJump& jump,
                            std::chrono::system_clock::time_point resume,
                            const std::string& source);

}  // namespace footfall::transport
