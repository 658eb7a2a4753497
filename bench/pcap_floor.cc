// Purpose: the floor of any libpcap design, a reference for scripts/bench. It
// reads every record of a radiotap (127) or bare 802.11 (105) capture with
// pcap_next_ex and checks the frame-control byte for a probe request (type 0,
// subtype 4), nothing else: no FCS, no hashing, no counting but one total.
// Prints one line: "records N probe_requests P seconds S frames_per_s R".
// Options, to take the capture side of footfalld apart on the same file:
//   --stdio-buffer BYTES  read through a stdio buffer of that size instead
//                         of glibc's default (measured: no difference, see
//                         docs/performance.md)
//   --parse               run footfall's ParseFrame (radiotap, 802.11, FCS
//                         CRC-32, address wipe) on every record instead of
//                         the frame-control check: libpcap + the parser.
#include <pcap/pcap.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "capture/frame_parser.h"

int main(int argc, char** argv) {
  std::size_t stdio_buffer = 0;
  bool parse = false;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--stdio-buffer" && i + 1 < argc) {
      stdio_buffer = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--parse") {
      parse = true;
    } else if (path == nullptr && arg[0] != '-') {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (path == nullptr) {
    std::fprintf(stderr, "usage: pcap_floor [--stdio-buffer BYTES] [--parse] FILE.pcap\n");
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  std::FILE* fp = std::fopen(path, "rb");
  if (fp == nullptr) {
    std::fprintf(stderr, "pcap_floor: %s: %s\n", path, std::strerror(errno));
    return 1;
  }
  if (stdio_buffer > 0) std::setvbuf(fp, nullptr, _IOFBF, stdio_buffer);
  pcap_t* p = pcap_fopen_offline(fp, err);
  if (p == nullptr) {
    std::fprintf(stderr, "pcap_floor: %s\n", err);
    return 1;
  }
  const int dlt = pcap_datalink(p);
  if (dlt != 127 && dlt != 105) {
    std::fprintf(stderr, "pcap_floor: link type %d is neither radiotap nor 802.11\n", dlt);
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t records = 0;
  std::uint64_t probes = 0;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &hdr, &data) == 1) {
    ++records;
    if (parse) {
      // libpcap's record buffer is its own writable memory (file_source.cc).
      const auto r = footfall::capture::ParseFrame(dlt, const_cast<std::uint8_t*>(data),
                                                   hdr->caplen, hdr->len);
      if (r.frame_class == footfall::capture::FrameClass::kProbeRequest) ++probes;
      continue;
    }
    std::size_t off = 0;
    if (dlt == 127) {
      if (hdr->caplen < 4) continue;
      off = static_cast<std::size_t>(data[2] | (data[3] << 8));  // radiotap it_len
    }
    if (off < hdr->caplen && (data[off] & 0xFC) == 0x40) ++probes;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  pcap_close(p);
  std::printf("records %llu probe_requests %llu seconds %.6f frames_per_s %.0f\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(probes), s,
              s > 0 ? static_cast<double>(records) / s : 0.0);
  return 0;
}
