// Purpose: the figures of a counts message as it was published, for the
// channels that repeat them beside MQTT: the info log, the systemd status
// line (readable by every local user) and the metrics endpoint. They are read
// back from the message itself rather than from the window, so these
// channels follow the one disclosure policy (transport/disclosure.h) whatever
// it hides, holds back or perturbs: they can show nothing the message does
// not, and a figure published as null stays hidden there too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace footfall::transport {

struct PublishedFigures {
  std::string window_start;  // as published (RFC 3339 UTC)
  bool partial = false;
  std::uint64_t probe_requests = 0;
  // A figure the message published as null (hidden), or does not carry, is
  // nullopt.
  std::optional<std::uint64_t> devices;  // devices.unique
  std::optional<std::uint64_t> global_mac;
  std::optional<std::uint64_t> randomized_mac;
  std::optional<std::uint64_t> estimated;  // devices.estimated
  std::optional<std::uint64_t> visitors;
};

// The figures of a footfall.counts payload (EncodeCounts' output). Throws
// std::invalid_argument if it is not one.
PublishedFigures ReadPublishedFigures(const std::string& payload);

// "17", or "hidden" for a figure not published.
std::string Shown(const std::optional<std::uint64_t>& figure);

}  // namespace footfall::transport
