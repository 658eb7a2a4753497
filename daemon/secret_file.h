// Purpose: where footfalld reads a secret (the MQTT password, the metrics
// bearer token): a systemd credential ($CREDENTIALS_DIRECTORY/<name>, set by
// LoadCredential=, which systemd keeps readable by the service only), or else
// a file named in the configuration — which is refused if its group or other
// users may read or write it (mode & 077), as the shared seed file is. The
// secret is the file's first line, without its line ending.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"

namespace footfall::daemon {

struct Secret {
  std::string value;   // never log it
  std::string source;  // "systemd credential NAME" / "file PATH", for the log
};

// The credential `credential` if `credentials_dir` is set and has it, else
// `file` if not empty, else nullopt. Throws std::runtime_error naming the
// file and why if it cannot be read, is not a regular file, is open to group
// or others, or its first line is empty.
std::optional<Secret> ReadSecret(const char* credential, const std::string& file,
                                 const char* credentials_dir);

// Whether `path` may hold a secret, else why not (not a regular file, mode
// open to group or others); the check ReadSecret makes, for --check-config.
Status CheckSecretFile(const std::string& path);

}  // namespace footfall::daemon
