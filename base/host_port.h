// Purpose: splits "host:port" and "[IPv6]:port" (the broker's URI, the
// metrics listen address) into a host without brackets and a port 1..65535,
// once for every caller.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace footfall {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
  bool bracketed = false;  // given as [IPv6]
};

// `form` names the expected shape in errors, e.g. "ADDRESS:PORT".
Result<HostPort> SplitHostPort(std::string_view text, const char* form);

}  // namespace footfall
