// Purpose: ParseSourceSpec and the rules of a source list (see source_spec.h).
#include "capture/source_spec.h"

#include <algorithm>

namespace footfall::capture {

std::string SourceSpec::ToString() const {
  return (kind == Kind::kFile ? "file:" : "pcap:") + target;
}

Result<SourceSpec> ParseSourceSpec(std::string_view s) {
  const std::string text(s);
  if (text.rfind("file:", 0) == 0 && text.size() > 5) {
    return SourceSpec{SourceSpec::Kind::kFile, text.substr(5)};
  }
  if (text.rfind("pcap:", 0) == 0 && text.size() > 5) {
    const std::string iface = text.substr(5);
    if (iface.size() > 15 || iface.find_first_of("/ \t:") != std::string::npos) {
      return Fail("\"" + iface +
                  "\" is not a network interface name (at most 15 characters, no '/', ':' or "
                  "spaces)");
    }
    return SourceSpec{SourceSpec::Kind::kLive, iface};
  }
  return Fail(
      "must be \"file:PATH\" (a pcap/pcapng file) or \"pcap:IFACE\" (a monitor-mode "
      "interface), got \"" +
      text + "\"");
}

Status CanJoin(const std::vector<SourceSpec>& earlier, const SourceSpec& next,
               std::size_t list_size) {
  if (std::find(earlier.begin(), earlier.end(), next) != earlier.end()) {
    return Fail("\"" + next.ToString() + "\" is listed twice");
  }
  if (list_size > 1 && next.kind == SourceSpec::Kind::kFile) {
    return Fail("a file (\"" + next.ToString() +
                "\") is replayed on its own; only live sources (\"pcap:IFACE\") can be combined");
  }
  return {};
}

}  // namespace footfall::capture
