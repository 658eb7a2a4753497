// Purpose: footfalld's side of the systemd notify protocol (sd_notify):
// READY=1 once the config is valid and the capture is open, a one-line
// STATUS= for `systemctl status`, WATCHDOG=1 from the main loop, STOPPING=1.
// Without $NOTIFY_SOCKET (not under systemd) every call is a no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace footfall::daemon {

class SystemdNotifier final {
 public:
  SystemdNotifier();
  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Watchdog();
  void Reloading();
  void Stopping(const std::string& status);
  // Half of WATCHDOG_USEC if the service manager expects keep-alives.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

 private:
  void Send(const std::string& state);
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace footfall::daemon
