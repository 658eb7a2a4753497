// Purpose: the kernel filter for probe requests (see probe_filter.h). The PPI
// program reads the PPI header's length (little-endian, bytes 2-3), checks
// that the payload is 802.11 (link type 105, bytes 4-7) and that the first
// byte of the 802.11 frame control says management/probe request (0x40, any
// protocol version), exactly as libpcap's compiled filter does for the other
// link types. A load past the end of the packet rejects it.
#include "capture/probe_filter.h"

#include <pcap/bpf.h>

#include <cstdlib>
#include <cstring>
#include <iterator>

#include "capture/frame_parser.h"

namespace footfall::capture {
namespace {

constexpr const char* kProbeFilter = "type mgt subtype probe-req";
constexpr bpf_u_int32 kKeep = 262144;  // bytes to keep: all (snaplen caps it)

// 105 as the 4 little-endian bytes 69 00 00 00, loaded big-endian by BPF.
constexpr bpf_u_int32 kPpiDlt80211 = 0x69000000u;

const bpf_insn kPpiProbeFilter[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 3),                    // A = len >> 8
    BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 8),                   // A <<= 8
    BPF_STMT(BPF_MISC | BPF_TAX, 0),                          // X = A
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 2),                    // A = len & 0xff
    BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0),                    // A |= X: PPI length
    BPF_STMT(BPF_MISC | BPF_TAX, 0),                          // X = PPI length
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),                    // A = payload link type
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kPpiDlt80211, 0, 4),  // not 802.11: reject
    BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),                    // A = frame control byte 0
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xFC),                // without the version bits
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40, 0, 1),          // probe request?
    BPF_STMT(BPF_RET | BPF_K, kKeep),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

}  // namespace

Status MakeProbeFilter(pcap_t* pcap, bpf_program* program) {
  *program = bpf_program{};
  if (pcap_datalink(pcap) == kLinkTypePpi) {
    // pcap_freecode() frees bf_insns with free().
    auto* insns = static_cast<bpf_insn*>(std::malloc(sizeof kPpiProbeFilter));
    if (insns == nullptr) return Fail("out of memory");
    std::memcpy(insns, kPpiProbeFilter, sizeof kPpiProbeFilter);
    program->bf_insns = insns;
    program->bf_len = static_cast<u_int>(std::size(kPpiProbeFilter));
    return Status::Ok();
  }
  if (pcap_compile(pcap, program, kProbeFilter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return Fail(std::string("cannot compile filter \"") + kProbeFilter +
                "\": " + pcap_geterr(pcap));
  }
  return Status::Ok();
}

}  // namespace footfall::capture
