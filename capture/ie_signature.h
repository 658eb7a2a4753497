// Purpose: the model signature of a probe request: which information elements
// it carries, in which order, and the capability bits a phone model sends the
// same way in every scan (supported rates, HT/VHT/HE and extended
// capabilities, vendor element types), less the bits a phone sets by its
// state (ClearStateBits in ie_signature.cc). It never includes the SSID, the
// channel or any other per-network or per-device value, so it describes a
// device model and software, not a person. It is only ever used keyed
// (hashing::Pseudonymizer::Fingerprint), to group randomized MACs into
// estimated devices.
#pragma once

#include <cstddef>
#include <cstdint>

namespace footfall::capture {

inline constexpr std::size_t kIeSignatureMax = 192;

// Writes the signature of the information elements `ies` (`len` bytes, as
// ProbeRequest::ies) into `out` (kIeSignatureMax bytes) and returns its
// length: 0 when there are no elements. Longer signatures are cut.
std::size_t IeSignature(const std::uint8_t* ies, std::size_t len, std::uint8_t* out);

// The length of the signature `sig` (`len` bytes, from IeSignature) without
// the vendor elements at its end: the signature of the same phone's probes
// without them. A phone's directed probes under a per-network address often
// carry vendor elements its broadcast probes do not (docs/accuracy.md, fifth
// round). `len` when it does not end with one; 0 when it has nothing else.
std::size_t WithoutTrailingVendorElements(const std::uint8_t* sig, std::size_t len);

}  // namespace footfall::capture
