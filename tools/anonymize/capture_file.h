// Purpose: the container side of footfall-anonymize: a pcap or pcapng file
// read whole into memory and located (file header, blocks, records, the
// timestamp fields and the interface options that hold addresses), so that the
// anonymizer can rewrite every record's bytes in place — its rewrites never
// change a length — and write the file back block by block. Anything it cannot
// read is an AnonymizeError naming the record or block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace footfall::anonymize {

// The one way this tool reports failure: a message for the user, never holding
// a MAC address or a network name.
class AnonymizeError final : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Format { kPcap, kPcapng };

struct Record {
  std::size_t number = 0;    // 1-based, in file order
  int link_type = -1;        // of the record's interface
  std::size_t data_off = 0;  // offset of the packet bytes in CaptureFile::bytes
  std::size_t caplen = 0;    // captured bytes present in the file
  std::size_t wirelen = 0;   // length on the air (>= caplen)
  std::string problem;       // non-empty: the record cannot be read whole (why)
  // Timestamp: pcap: ts_sec,ts_frac (two u32); pcapng: high,low (two u32).
  bool has_time = true;  // false for pcapng simple packet blocks
  std::size_t ts_off = 0;
  bool big_endian = false;
  bool pcapng = false;
  std::uint64_t units_per_s = 1000000;  // of the fraction (pcap) or of the 64-bit value
  bool binary_units = false;            // pcapng if_tsresol 2^-n (units_per_s = 2^n)
};

// A byte range of the file copied to the output unless dropped.
struct Block {
  std::size_t off = 0;
  std::size_t len = 0;
  bool drop = false;
};

// A timestamp field outside the records (pcapng interface statistics).
struct TimeField {
  std::size_t off = 0;
  bool big_endian = false;
  std::uint64_t units_per_s = 1000000;
  bool binary_units = false;
};

struct CaptureFile {
  Format format = Format::kPcap;
  std::vector<std::uint8_t> bytes;
  std::vector<Block> blocks;
  std::vector<Record> records;
  std::vector<TimeField> other_times;     // pcapng ISB timestamps
  std::vector<std::size_t> mac_options;   // pcapng if_MACaddr values (6 bytes)
  std::vector<std::size_t> eui_options;   // pcapng if_EUIaddr values (8 bytes)
  std::vector<std::size_t> hash_options;  // pcapng epb_hash values: blanked
  std::vector<std::size_t> hash_option_lens;
  std::size_t dropped_blocks = 0;  // name resolution, secrets, custom, unknown
};

// Reads and locates `path`. Throws AnonymizeError for a file that is not pcap
// or pcapng, an interface whose link type is not 802.11, or a damaged block
// structure. A last record cut short by the end of the file is returned with
// `problem` set (its bytes as far as they go), so that the caller decides.
CaptureFile ReadCaptureFile(const std::string& path);

// Adds `shift_ns` nanoseconds to every timestamp (records and statistics).
// Throws AnonymizeError if a time would become negative or overflow.
void ShiftTimes(CaptureFile* file, std::int64_t shift_ns);

// The bytes of the kept blocks, in order.
std::vector<std::uint8_t> OutputBytes(const CaptureFile& file);

}  // namespace footfall::anonymize
