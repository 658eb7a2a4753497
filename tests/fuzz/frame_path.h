// Purpose: the frame path the fuzz targets drive, as daemon/app.cc wires it
// (less the configurable signal floor): ParseFrame -> (probe requests)
// Pseudonymize -> WindowCounter, plus checks of the parser's promises that no
// sanitizer can see. A broken promise aborts with a MAC-free message, which
// libFuzzer reports as a crash.
//
// Checked for every input:
//  - the parser read only the `caplen` bytes it was given (the frame is copied
//    into a heap block of exactly that size, so AddressSanitizer sees any
//    read past it) and changed nothing in them except zeroing at most one
//    6-byte transmitter address;
//  - kMalformed/kBadFcs carry a reason, kProbeRequest/kOther none;
//  - a probe request's transmitter is a unicast address that was wiped from
//    the buffer, its information elements lie inside the buffer and are whole,
//    and the pseudonymizer wipes the MacAddress it is given;
//  - signals lie in -120..0 dBm, a band comes only with a frequency, and the
//    FCS outcome agrees with the class (a probe request whose FCS was
//    captured was checked) -- where frame_parser.h has these fields;
//  - the window counter's report is consistent with the one event fed to it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace footfall::fuzz {

// Makes the process-wide state (the pseudonymizers, with fixed keys: a fuzz
// run must be reproducible). Call once, from LLVMFuzzerInitialize.
void InitFramePath();

// Runs one frame of the given link type through the whole path and checks the
// invariants above. `wirelen` may exceed `caplen` (a frame cut by the snap length).
void RunFramePath(int link_type, const std::uint8_t* frame, std::size_t caplen,
                  std::size_t wirelen);

}  // namespace footfall::fuzz
