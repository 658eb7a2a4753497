// Purpose: what a SIGHUP reload does with a new, valid configuration. The
// current window, its devices and the pseudonym key are never touched, so a
// reload loses no count. Settings that can change under a running pipeline
// are applied live: [log] level, [mqtt] drain_timeout_s, [metrics] and
// [privacy] (from the next frame and the next published window). Every
// other changed key is named as "needs a restart" and its running value kept:
// the capture source and its options (the capture is open), the window length
// (the current window would be cut), the hashing settings (the key in use),
// the [analytics] visit settings (the open visits were built under them),
// the sensor's names, the MQTT connection and its topics (the buffered
// messages belong to that session and those topics) and the state directory.
// Which is which is a column of the settings table (config.cc), so a new key
// has its reload behaviour where it is declared.
#pragma once

#include <string>
#include <vector>

#include "daemon/config.h"

namespace footfall::daemon {

struct ReloadPlan {
  Config next;                             // running config with the live changes applied
  std::vector<std::string> applied;        // keys changed and applied live, e.g. "log.level"
  std::vector<std::string> needs_restart;  // keys changed but kept at their running value
};

ReloadPlan PlanReload(const Config& running, const Config& loaded);

}  // namespace footfall::daemon
