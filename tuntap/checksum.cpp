#include "tuntap/checksum.h"

#include <cstring>

namespace emp::tuntap {

uint64_t checksum_add(std::span<const uint8_t> data, uint64_t initial) {
  uint64_t sum = initial;
  const uint8_t* p = data.data();
  size_t n = data.size();
  // 32-bit big-endian words into a 64-bit accumulator: the carries fold back in at the
  // end, which is the same one's-complement sum as 16-bit words, at a quarter the loop.
  while (n >= 4) {
    sum += (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    sum += (uint32_t{p[0]} << 8) | p[1];
    p += 2;
    n -= 2;
  }
  if (n == 1) sum += uint32_t{p[0]} << 8;
  return sum;
}

uint16_t checksum_fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint64_t pseudo_header_sum(const uint8_t* src, const uint8_t* dst, size_t address_bytes,
                           uint8_t protocol, uint32_t l4_length) {
  uint64_t sum = checksum_add({src, address_bytes});
  sum = checksum_add({dst, address_bytes}, sum);
  return sum + protocol + (l4_length >> 16) + (l4_length & 0xffff);
}

}  // namespace emp::tuntap
