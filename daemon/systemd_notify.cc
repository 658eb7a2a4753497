// Purpose: SystemdNotifier over libsystemd's sd_notify (see systemd_notify.h).
#include "daemon/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

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

void SystemdNotifier::Reloading() {
  // MONOTONIC_USEC lets systemd >= 253 (Type=notify-reload) match the reload
  // to the request; systemd 252 ignores it.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const unsigned long long usec =
      static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + ts.tv_nsec / 1000;
  Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotifier::Stopping(const std::string& status) { Send("STOPPING=1\nSTATUS=" + status); }

void SystemdNotifier::WatchdogIfDue(Clock::time_point now) {
  if (!watchdog_) return;
  if (last_watchdog_ && now - *last_watchdog_ < *watchdog_) return;
  last_watchdog_ = now;
  Watchdog();
}

}  // namespace footfall::daemon
