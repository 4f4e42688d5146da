// IPv4/IPv6 packet parsing for routing and filtering: addresses, the transport protocol
// behind any IPv6 extension headers, ports, ICMP type and fragment facts. Every length is
// checked against the bytes actually present; nothing is trusted.
#pragma once

#include <cstdint>
#include <span>

#include "config/ip_address.h"
#include "sys/result.h"

namespace emp::tuntap {

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIcmpV6 = 58;

struct PacketInfo {
  config::IpAddress src;
  config::IpAddress dst;
  uint8_t protocol = 0;     // the transport protocol (after IPv6 extension headers)
  uint16_t l4_offset = 0;   // where the transport header starts
  bool fragment = false;    // any fragment, first or not
  bool has_l4 = false;      // the transport header is present (not a non-first fragment)
  uint16_t sport = 0;       // TCP/UDP, when has_l4
  uint16_t dport = 0;
  uint8_t icmp_type = 0;    // ICMP/ICMPv6, when has_l4
  bool is_v6() const { return dst.family == config::IpFamily::V6; }
};

// Parses one whole IP packet (its length must equal the IP header's total length).
// Errors name the fault, e.g. "truncated IPv4 header: 12 bytes",
// "not an IP packet: version 5", "IPv4 total length 100 does not match the 80 bytes received".
Result<PacketInfo> parse_packet(std::span<const uint8_t> packet);

// Link-scope and multicast traffic a tun device emits on its own (IPv6 router
// solicitations, MLD reports, neighbour discovery, IPv4 broadcasts): the router never
// forwards it and never learns an address from it; it is dropped quietly and counted.
bool is_link_scope(const PacketInfo& info);

}  // namespace emp::tuntap
