#include "tuntap/packet.h"

#include <string>

#include "tuntap/bytes.h"

namespace emp::tuntap {
namespace {

using std::to_string;

constexpr size_t kIpv4MinHeader = 20;
constexpr size_t kIpv6Header = 40;
constexpr int kMaxExtensionHeaders = 8;

// Reads ports or the ICMP type of a transport header that starts at `l4`.
Result<void> parse_l4(std::span<const uint8_t> p, size_t l4, PacketInfo& info) {
  const size_t have = p.size() - l4;
  const uint8_t* h = p.data() + l4;
  auto need = [&](size_t bytes, const char* name) -> Result<void> {
    if (have < bytes)
      return fail(std::string("truncated ") + name + " header: " + to_string(have) + " of " +
                  to_string(bytes) + " bytes");
    return ok();
  };
  switch (info.protocol) {
    case kProtoTcp: {
      EMP_CHECK(need(20, "TCP"));
      const size_t doff = static_cast<size_t>(h[12] >> 4) * 4;
      if (doff < 20) return fail("TCP data offset " + to_string(doff) + " is below 20");
      if (!info.fragment && doff > have)
        return fail("truncated TCP header: " + to_string(have) + " of " + to_string(doff) + " bytes");
      info.sport = load_be16(h);
      info.dport = load_be16(h + 2);
      break;
    }
    case kProtoUdp:
      EMP_CHECK(need(8, "UDP"));
      info.sport = load_be16(h);
      info.dport = load_be16(h + 2);
      break;
    case kProtoIcmp:
      EMP_CHECK(need(4, "ICMP"));
      info.icmp_type = h[0];
      break;
    case kProtoIcmpV6:
      EMP_CHECK(need(4, "ICMPv6"));
      info.icmp_type = h[0];
      break;
    default:
      break;
  }
  info.has_l4 = true;
  return ok();
}

Result<PacketInfo> parse_v4(std::span<const uint8_t> p) {
  if (p.size() < kIpv4MinHeader) return fail("truncated IPv4 header: " + to_string(p.size()) + " bytes");
  const uint8_t* h = p.data();
  const size_t ihl = static_cast<size_t>(h[0] & 0x0f) * 4;
  if (ihl < kIpv4MinHeader) return fail("IPv4 header length " + to_string(ihl) + " is below 20");
  if (ihl > p.size())
    return fail("truncated IPv4 header: " + to_string(p.size()) + " of " + to_string(ihl) + " bytes");
  const size_t total = load_be16(h + 2);
  if (total != p.size())
    return fail("IPv4 total length " + to_string(total) + " does not match the " +
                to_string(p.size()) + " bytes received");
  PacketInfo info;
  info.src = config::IpAddress::v4(h + 12);
  info.dst = config::IpAddress::v4(h + 16);
  info.protocol = h[9];
  info.l4_offset = static_cast<uint16_t>(ihl);
  const uint16_t frag = load_be16(h + 6);
  const bool more = (frag & 0x2000) != 0;
  const uint16_t offset = frag & 0x1fff;
  info.fragment = more || offset != 0;
  if (offset != 0) return info;  // a later fragment: no transport header to read
  EMP_CHECK(parse_l4(p, ihl, info));
  return info;
}

Result<PacketInfo> parse_v6(std::span<const uint8_t> p) {
  if (p.size() < kIpv6Header) return fail("truncated IPv6 header: " + to_string(p.size()) + " bytes");
  const uint8_t* h = p.data();
  const size_t payload = load_be16(h + 4);
  if (payload + kIpv6Header != p.size())
    return fail("IPv6 payload length " + to_string(payload) + " does not match the " +
                to_string(p.size() - kIpv6Header) + " bytes received");
  PacketInfo info;
  info.src = config::IpAddress::v6(h + 8);
  info.dst = config::IpAddress::v6(h + 24);
  uint8_t next = h[6];
  size_t off = kIpv6Header;
  for (int count = 0;; ++count) {
    const bool extension = next == 0 || next == 43 || next == 44 || next == 51 || next == 60;
    if (!extension) break;
    if (count == kMaxExtensionHeaders)
      return fail("more than " + to_string(kMaxExtensionHeaders) + " IPv6 extension headers");
    if (next == 0 && count != 0) return fail("IPv6 hop-by-hop header not first");
    if (p.size() - off < 8)
      return fail("truncated IPv6 extension header " + to_string(next) + " at byte " + to_string(off));
    const uint8_t* e = p.data() + off;
    size_t length = 0;
    if (next == 44) {
      length = 8;
      const uint16_t frag = load_be16(e + 2);
      info.fragment = true;
      if ((frag >> 3) != 0) {  // a later fragment: the transport header is elsewhere
        info.protocol = e[0];
        info.l4_offset = static_cast<uint16_t>(off + length);
        return info;
      }
    } else if (next == 51) {
      length = (size_t{e[1]} + 2) * 4;
    } else {
      length = (size_t{e[1]} + 1) * 8;
    }
    if (length > p.size() - off)
      return fail("truncated IPv6 extension header " + to_string(next) + ": " +
                  to_string(p.size() - off) + " of " + to_string(length) + " bytes");
    next = e[0];
    off += length;
  }
  info.protocol = next;
  info.l4_offset = static_cast<uint16_t>(off);
  EMP_CHECK(parse_l4(p, off, info));
  return info;
}

}  // namespace

Result<PacketInfo> parse_packet(std::span<const uint8_t> packet) {
  if (packet.empty()) return fail("empty packet");
  const int version = packet[0] >> 4;
  if (version == 4) return parse_v4(packet);
  if (version == 6) return parse_v6(packet);
  return fail("not an IP packet: version " + to_string(version));
}

bool is_link_scope(const PacketInfo& info) {
  if (info.src.is_link_local() || info.dst.is_link_local() || info.dst.is_multicast() ||
      info.src.is_unspecified())
    return true;
  if (info.is_v6()) return false;
  const auto& d = info.dst.bytes;
  return d[0] == 255 && d[1] == 255 && d[2] == 255 && d[3] == 255;
}

}  // namespace emp::tuntap
