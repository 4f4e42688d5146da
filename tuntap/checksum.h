// The Internet checksum (RFC 1071) and the pseudo-header sums of TCP and UDP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace emp::tuntap {

// One's-complement sum of `data` (big-endian 16-bit words, odd tail padded) added to
// `initial`, not folded.
uint64_t checksum_add(std::span<const uint8_t> data, uint64_t initial = 0);
// Folds a running sum to 16 bits (not complemented).
uint16_t checksum_fold(uint64_t sum);
// The complemented 16-bit checksum of data.
inline uint16_t checksum(std::span<const uint8_t> data, uint64_t initial = 0) {
  return static_cast<uint16_t>(~checksum_fold(checksum_add(data, initial)));
}
// Sum of the TCP/UDP pseudo-header: addresses of `family_bytes` (4 or 16) each, protocol
// and the L4 length.
uint64_t pseudo_header_sum(const uint8_t* src, const uint8_t* dst, size_t address_bytes,
                           uint8_t protocol, uint32_t l4_length);

}  // namespace emp::tuntap
