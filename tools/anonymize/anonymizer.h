// Purpose: footfall-anonymize's engine: rewrites a pcap/pcapng capture of
// 802.11 frames so that nothing in it identifies a person, keeping what
// footfall (and tshark) read from it (docs/privacy.md, "Handing a capture to
// someone"):
//  - every address (addr1-addr4 of every frame type, the current AP of a
//    reassociation, neighbour-report BSSIDs, WPS and P2P device addresses, ARP
//    and A-MSDU addresses, mesh extended addresses, pcapng if_MACaddr) goes
//    through a keyed PRF (BLAKE2b, libsodium) to another address with the same
//    group and locally-administered bits, and the same vendor prefix (OUI)
//    when it is global, unless hide_oui. The mapping is injective within a
//    file and never yields an address of the input (a collision is remapped,
//    and counted); broadcast and the all-zero address stay as they are;
//  - SSIDs (and mesh IDs) become placeholder text of the same length (a
//    wildcard stays empty, an all-zero hidden SSID stays zero); WPS UUID-E/R
//    become other UUIDs; WPS device name, manufacturer, model name and
//    number, serial number, P2P device names and the Cisco AP name become
//    placeholders of the same length. The same input always gives the same
//    output within a run, and across runs with the same key;
//  - element order and lengths, capabilities, sequence numbers, radiotap and
//    record lengths stay; a valid FCS is recomputed, an invalid one is kept
//    exactly as wrong as it was; timestamps stay unless shifted;
//  - then a scrub pass replaces any other occurrence of an input address
//    (leftovers.h lists the forms) or name, and a self-check of the whole
//    output fails the run if one is still there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace footfall::anonymize {

struct Options {
  bool hide_oui = false;
  bool keep_unparsed = false;
  std::int64_t shift_ns = 0;
  std::string key_file;  // "" = a random key for this run only
};

struct Summary {
  std::size_t records = 0;
  std::size_t unparsed_kept = 0;   // copied with their addresses zeroed
  std::size_t addresses = 0;       // distinct input addresses mapped
  std::size_t address_fields = 0;  // fields rewritten
  std::size_t remapped = 0;        // collisions resolved by remapping
  std::size_t ssids = 0;           // distinct SSIDs replaced
  std::size_t ssid_elements = 0;   // SSID fields rewritten
  std::size_t wildcard_ssids = 0;  // empty or all-zero SSIDs kept
  std::size_t wps_fields = 0;      // WPS/P2P/vendor names and UUIDs replaced
  std::size_t scrubbed = 0;        // other occurrences replaced by the scrub pass
  std::size_t fcs_recomputed = 0;
  std::size_t fcs_kept_invalid = 0;
  std::size_t blocks_dropped = 0;  // pcapng blocks not copied
  std::size_t pcapng = 0;          // 1 if the file is pcapng
};

// Reads `input`, anonymizes it, checks the result and writes `output` (via a
// temporary file in the same directory, renamed at the end). Throws
// AnonymizeError (capture_file.h) on any problem; then no output file is left.
Summary AnonymizeFile(const std::string& input, const std::string& output, const Options& options);

// The summary as printed by the tool (several lines, no address or name).
std::string FormatSummary(const Summary& s);

// Parses a --shift-time value: seconds, optional sign and up to 9 decimals.
// Throws AnonymizeError if it is not one.
std::int64_t ParseShiftNs(const std::string& text);

}  // namespace footfall::anonymize
