// Purpose: OpenSource: "file:PATH" -> file replay, "pcap:IFACE" -> live capture
// that re-attaches when its interface comes back; OpenSources merges several
// live ones.
#include <set>
#include <string>

#include "capture/frame_parser.h"
#include "capture/multi_source.h"
#include "capture/pcap_util.h"
#include "capture/retrying_source.h"

namespace footfall::capture {

std::string DescribeLinkType(int link_type) {
  const char* name = pcap_datalink_val_to_name(link_type);
  return std::to_string(link_type) + " (" + (name != nullptr ? name : "unknown") + ")";
}

std::unique_ptr<Source> OpenSource(const std::string& spec, const SourceOptions& options,
                                   boost::asio::io_context& io) {
  auto starts = [&](const char* prefix) { return spec.rfind(prefix, 0) == 0; };
  if (starts("file:") && spec.size() > 5) return OpenFileSource(spec.substr(5), options, io);
  if (starts("pcap:") && spec.size() > 5) {
    const std::string iface = spec.substr(5);
    RetryPolicy policy;
    policy.initial = options.retry_initial;
    policy.max = options.retry_max;
    policy.stats_interval = options.stats_interval;
    return std::make_unique<RetryingSource>(
        spec, [iface, options, &io] { return OpenLiveSource(iface, options, io); },
        MakeAsioTimeSource(io), policy);
  }
  throw SourceError("source \"" + spec +
                    "\": expected \"file:PATH\" (a pcap/pcapng file) or \"pcap:IFACE\" "
                    "(a monitor-mode interface)");
}

std::unique_ptr<Source> OpenSources(const std::vector<std::string>& specs,
                                    const SourceOptions& options, boost::asio::io_context& io) {
  if (specs.empty()) throw SourceError("no capture source given");
  if (specs.size() == 1) return OpenSource(specs.front(), options, io);
  std::set<std::string> seen;
  for (const std::string& spec : specs) {
    if (spec.rfind("pcap:", 0) != 0) {
      throw SourceError("source \"" + spec +
                        "\": only live sources (\"pcap:IFACE\") can be combined; a file is "
                        "replayed on its own");
    }
    if (!seen.insert(spec).second) throw SourceError("source \"" + spec + "\" given twice");
  }
  std::vector<std::unique_ptr<Source>> sources;
  for (const std::string& spec : specs) sources.push_back(OpenSource(spec, options, io));
  return std::make_unique<MultiSource>(std::move(sources));
}

}  // namespace footfall::capture
