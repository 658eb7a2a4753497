// Purpose: what a capture source is, parsed once from the configuration's
// "file:PATH" / "pcap:IFACE", and the rules for combining several: a file is
// replayed alone; live interfaces may be combined, each once. The config
// loader checks them at start-up (with file:line:col) and OpenSources relies
// on the same rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace footfall::capture {

struct SourceSpec {
  enum class Kind { kFile, kLive };
  Kind kind = Kind::kLive;
  std::string target;  // the file's path, or the interface's name

  std::string ToString() const;  // "file:PATH" / "pcap:IFACE"
  friend bool operator==(const SourceSpec& a, const SourceSpec& b) {
    return a.kind == b.kind && a.target == b.target;
  }
  friend bool operator!=(const SourceSpec& a, const SourceSpec& b) { return !(a == b); }
};

// "file:PATH" (any non-empty path; not resolved) or "pcap:IFACE" (a network
// interface name: at most 15 characters, no '/', ':' or white space).
Result<SourceSpec> ParseSourceSpec(std::string_view text);

// Whether `next` may join `earlier` in a list of `list_size` sources: not
// twice, and a file only alone.
Status CanJoin(const std::vector<SourceSpec>& earlier, const SourceSpec& next,
               std::size_t list_size);

}  // namespace footfall::capture
