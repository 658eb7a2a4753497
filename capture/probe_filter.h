// Purpose: the kernel (BPF) filter that lets only probe requests through to a
// live capture, for each link type footfall reads. libpcap 1.10 compiles
// "type mgt subtype probe-req" for 105, 127, 119 and 163 but not for PPI
// (192): for PPI a small program is written here by hand.
#pragma once

#include <pcap/pcap.h>

#include "base/result.h"

namespace footfall::capture {

// Fills `program` with a filter for the link type of `pcap` (a live or dead
// handle); on success free `program` with pcap_freecode. Else why not.
Status MakeProbeFilter(pcap_t* pcap, bpf_program* program);

}  // namespace footfall::capture
