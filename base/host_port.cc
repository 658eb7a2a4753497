// Purpose: SplitHostPort (see host_port.h).
#include "base/host_port.h"

namespace footfall {

Result<HostPort> SplitHostPort(std::string_view text, const char* form) {
  HostPort out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return Fail("unterminated [IPv6 address]");
    out.host = std::string(text.substr(1, close - 1));
    if (text.substr(close + 1, 1) != ":") {
      return Fail(std::string("must be ") + form + " (port missing)");
    }
    port = text.substr(close + 2);
    out.bracketed = true;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Fail(std::string("must be ") + form + " (port missing)");
    }
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (out.host.empty()) return Fail(std::string("must be ") + form + " (host missing)");
  unsigned long number = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) {
    if (c < '0' || c > '9') digits = false;
    if (digits) number = number * 10 + static_cast<unsigned long>(c - '0');
  }
  if (!digits || number < 1 || number > 65535) {
    return Fail("port \"" + std::string(port) + "\" must be a number from 1 to 65535");
  }
  out.port = static_cast<std::uint16_t>(number);
  return out;
}

}  // namespace footfall
