// Purpose: what the fuzz targets run for each input: the parser's promises
// that no sanitizer can see, then footfalld's own frame path
// (daemon::FramePath, the unit App::OnFrame runs: parse -> signal floor ->
// pseudonymize and wipe -> cross-radio dedup -> fingerprint -> window), with
// a signal floor on some inputs and two capture sources on others. A broken
// promise aborts with a MAC-free message, which libFuzzer reports as a crash.
//
// Checked for every input, on the parser alone (a copy of the frame):
//  - the parser read only the `caplen` bytes it was given (the frame is copied
//    into a heap block of exactly that size, so AddressSanitizer sees any
//    read past it) and changed nothing in them except zeroing at most one
//    6-byte transmitter address;
//  - kMalformed/kBadFcs carry a reason, kProbeRequest/kOther none;
//  - a probe request's transmitter is a unicast address that was wiped from
//    the buffer, and its information elements lie inside the buffer and are whole;
//  - signals lie in -120..0 dBm, a band comes only with a frequency, and the
//    FCS outcome agrees with the class (a probe request whose FCS was
//    captured was checked) -- where frame_parser.h has these fields;
// and on the frame path (another exact-size copy):
//  - the outcome follows from the parser's class and the floor: a probe
//    request under the floor (or without a signal) is never hashed (the
//    pseudonymizer is not even asked for) and is counted as such;
//  - exactly the counter of the outcome moved, and the buffer is all zero;
//  - with two sources, the same frame from the second radio is a copy;
//  - the window counter's report is consistent with the one event fed to it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace footfall::fuzz {

// Makes the process-wide state (the pseudonymizers, with fixed keys: a fuzz
// run must be reproducible). Call once, from LLVMFuzzerInitialize.
void InitFramePath();

// Runs one frame of the given link type through the parser and the whole
// path and checks the invariants above. `wirelen` may exceed `caplen` (a frame cut by the snap
// length).
void RunFramePath(int link_type, const std::uint8_t* frame, std::size_t caplen,
                  std::size_t wirelen);

}  // namespace footfall::fuzz
