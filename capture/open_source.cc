// Purpose: OpenSource: "file:PATH" -> file replay, "pcap:IFACE" -> live capture.
#include <string>

#include "capture/frame_parser.h"
#include "capture/pcap_util.h"

namespace footfall::capture {

std::string DescribeLinkType(int link_type) {
  const char* name = pcap_datalink_val_to_name(link_type);
  return std::to_string(link_type) + " (" + (name != nullptr ? name : "unknown") + ")";
}

std::unique_ptr<Source> OpenSource(const std::string& spec, const SourceOptions& options,
                                   boost::asio::io_context& io) {
  auto starts = [&](const char* prefix) { return spec.rfind(prefix, 0) == 0; };
  if (starts("file:") && spec.size() > 5) return OpenFileSource(spec.substr(5), options, io);
  if (starts("pcap:") && spec.size() > 5) return OpenLiveSource(spec.substr(5), options, io);
  throw SourceError("source \"" + spec +
                    "\": expected \"file:PATH\" (a pcap/pcapng file) or \"pcap:IFACE\" "
                    "(a monitor-mode interface)");
}

}  // namespace footfall::capture
