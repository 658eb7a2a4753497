// Purpose: small libpcap helpers shared by the file and live sources (private
// to capture/): link-type checks with operator-readable errors, timestamps.
#pragma once

#include <pcap/pcap.h>

#include <chrono>
#include <string>

#include "capture/source.h"

namespace footfall::capture {

// "127 (IEEE802_11_RADIO)" — the number and libpcap's name for a link type.
std::string DescribeLinkType(int link_type);

inline TimePoint ToTimePoint(const timeval& tv) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec)));
}

std::unique_ptr<Source> OpenFileSource(const std::string& path, const SourceOptions& options,
                                       boost::asio::io_context& io);
std::unique_ptr<Source> OpenLiveSource(const std::string& iface, const SourceOptions& options,
                                       boost::asio::io_context& io);

}  // namespace footfall::capture
