// Purpose: footfalld's exit codes, in one place (sysexits.h values, which
// systemd and scripts understand).
#pragma once

namespace footfall::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // a start-up error that is not the config's
inline constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: messages left undelivered
inline constexpr int kExitSoftware = 70;     // EX_SOFTWARE: capture failed at run time, or
                                             // libsodium could not start
inline constexpr int kExitConfig = 78;       // EX_CONFIG: the config or the source is unusable

}  // namespace footfall::daemon
