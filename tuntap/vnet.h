// The virtio-net header a tun device with IFF_VNET_HDR puts before every packet: it
// carries the GSO super-packet description (TSO/USO) and the partial-checksum request.
// Layout of Linux's struct virtio_net_hdr_mrg_rxbuf, little-endian (x86/arm64 hosts).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tuntap/bytes.h"

namespace emp::tuntap {

inline constexpr size_t kVnetHeaderSize = 12;

inline constexpr uint8_t kVnetFlagNeedsCsum = 1;
inline constexpr uint8_t kVnetFlagDataValid = 2;

inline constexpr uint8_t kGsoNone = 0;
inline constexpr uint8_t kGsoTcpV4 = 1;
inline constexpr uint8_t kGsoUdp = 3;  // UFO (IP fragmentation): never offered, refused
inline constexpr uint8_t kGsoTcpV6 = 4;
inline constexpr uint8_t kGsoUdpL4 = 5;
inline constexpr uint8_t kGsoEcn = 0x80;

struct VnetHeader {
  uint8_t flags = 0;
  uint8_t gso_type = kGsoNone;
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;

  uint8_t gso_kind() const { return static_cast<uint8_t>(gso_type & ~kGsoEcn); }
  bool is_gso() const { return gso_kind() != kGsoNone; }
  bool needs_csum() const { return (flags & kVnetFlagNeedsCsum) != 0; }
};

inline VnetHeader read_vnet_header(const uint8_t* p) {
  VnetHeader h;
  h.flags = p[0];
  h.gso_type = p[1];
  h.hdr_len = load_le16(p + 2);
  h.gso_size = load_le16(p + 4);
  h.csum_start = load_le16(p + 6);
  h.csum_offset = load_le16(p + 8);
  return h;
}

inline void write_vnet_header(uint8_t* p, const VnetHeader& h) {
  p[0] = h.flags;
  p[1] = h.gso_type;
  store_le16(p + 2, h.hdr_len);
  store_le16(p + 4, h.gso_size);
  store_le16(p + 6, h.csum_start);
  store_le16(p + 8, h.csum_offset);
  store_le16(p + 10, 0);
}

}  // namespace emp::tuntap
