// Purpose: footfalld's side of the systemd notify protocol (sd_notify):
// READY=1 once the config is valid and the sources are open (a live source
// whose interface is missing counts as open: it waits for it, and the status
// line says so; a source that cannot work is fatal before READY), a one-line
// STATUS= for `systemctl status`, WATCHDOG=1 from the main loop at half of
// WATCHDOG_USEC, RELOADING=1 (then READY=1) around a SIGHUP reload,
// STOPPING=1. Without $NOTIFY_SOCKET (not under systemd) every call is a no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace footfall::daemon {

class SystemdNotifier final {
 public:
  using Clock = std::chrono::steady_clock;

  // Reads $WATCHDOG_USEC (and $WATCHDOG_PID, which must be this process).
  SystemdNotifier();
  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Watchdog();
  void Reloading();
  void Stopping(const std::string& status);

  // Sends WATCHDOG=1 if the watchdog is enabled and at least
  // watchdog_interval() has passed since the last one (or none was sent).
  // Called from the main loop's tick with the loop's clock.
  void WatchdogIfDue(Clock::time_point now);

  // Half of WATCHDOG_USEC if the service manager expects keep-alives.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

 private:
  void Send(const std::string& state);
  std::optional<std::chrono::microseconds> watchdog_;
  std::optional<Clock::time_point> last_watchdog_;
};

}  // namespace footfall::daemon
