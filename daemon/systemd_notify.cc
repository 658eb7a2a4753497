// Purpose: SystemdNotifier over libsystemd's sd_notify (see systemd_notify.h).
#include "daemon/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace footfall::daemon {

SystemdNotifier::SystemdNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(usec / 2);
  }
}

void SystemdNotifier::Send(const std::string& state) {
  int rc = sd_notify(0, state.c_str());
  if (rc < 0) spdlog::debug("sd_notify failed: {}", rc);
}

void SystemdNotifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }
void SystemdNotifier::Status(const std::string& status) { Send("STATUS=" + status); }
void SystemdNotifier::Watchdog() { Send("WATCHDOG=1"); }
void SystemdNotifier::Reloading() { Send("RELOADING=1"); }
void SystemdNotifier::Stopping(const std::string& status) {
  Send("STOPPING=1\nSTATUS=" + status);
}

}  // namespace footfall::daemon
