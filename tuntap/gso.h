// Software offloads for peers that take plain packets (uWSGI socket peers, devices
// without vnet headers): completing a partial checksum and cutting a TSO/USO
// super-packet into MTU-sized packets with correct IP and TCP/UDP headers and checksums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sys/result.h"
#include "tuntap/packet.h"
#include "tuntap/vnet.h"

namespace emp::tuntap {

// Fills in the checksum the kernel left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM): the sum
// of bytes from csum_start, stored at csum_start + csum_offset. Errors when either lies
// outside the packet.
Result<void> complete_checksum(std::span<uint8_t> packet, const VnetHeader& h);

struct GsoPlan {
  size_t header_len = 0;   // IP (with extensions) + TCP/UDP header, copied into every segment
  size_t payload_len = 0;  // bytes after the headers
  size_t segment_payload = 0;
  size_t count = 0;
  uint8_t protocol = 0;
  bool v6 = false;
  size_t l4_offset = 0;
};

// Checks a GSO super-packet against its header and parsed facts and says how to cut it.
// Errors: unsupported GSO type, a protocol that does not match it, gso_size 0...
Result<GsoPlan> plan_segments(std::span<const uint8_t> packet, const VnetHeader& h,
                              const PacketInfo& info);

// Writes segment `index` (< plan.count) of `packet` into `out` (which must hold
// header_len + segment_payload bytes) and returns its length. Its IP length, IPv4 id and
// header checksum, TCP sequence number and flags (FIN/PSH only on the last segment, CWR
// only on the first) or UDP length, and the transport checksum are all set.
size_t build_segment(const GsoPlan& plan, std::span<const uint8_t> packet, size_t index, uint8_t* out);

}  // namespace emp::tuntap
