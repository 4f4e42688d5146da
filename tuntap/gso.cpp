#include "tuntap/gso.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "tuntap/bytes.h"
#include "tuntap/checksum.h"

namespace emp::tuntap {
namespace {

using std::to_string;

constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpCwr = 0x80;

void fix_ipv4_header(uint8_t* ip, size_t ihl, size_t total, uint16_t id) {
  store_be16(ip + 2, static_cast<uint16_t>(total));
  store_be16(ip + 4, id);
  store_be16(ip + 10, 0);
  store_be16(ip + 10, checksum({ip, ihl}));
}

}  // namespace

Result<void> complete_checksum(std::span<uint8_t> packet, const VnetHeader& h) {
  const size_t start = h.csum_start;
  const size_t at = start + h.csum_offset;
  if (start >= packet.size() || at + 2 > packet.size())
    return fail("partial checksum at " + to_string(start) + "+" + to_string(h.csum_offset) +
                " lies outside the " + to_string(packet.size()) + "-byte packet");
  // The field holds the pseudo-header sum the kernel seeded; summing over it completes it.
  const uint16_t sum = checksum(packet.subspan(start));
  store_be16(packet.data() + at, sum);
  return ok();
}

Result<GsoPlan> plan_segments(std::span<const uint8_t> packet, const VnetHeader& h,
                              const PacketInfo& info) {
  GsoPlan plan;
  const uint8_t kind = h.gso_kind();
  if (info.fragment || !info.has_l4) return fail("GSO on a fragment");
  plan.v6 = info.is_v6();
  plan.l4_offset = info.l4_offset;
  plan.protocol = info.protocol;
  if (kind == kGsoTcpV4 || kind == kGsoTcpV6) {
    if (info.protocol != kProtoTcp) return fail("TCP GSO on a packet of protocol " + to_string(info.protocol));
    if ((kind == kGsoTcpV6) != plan.v6) return fail("GSO type " + to_string(kind) + " on the wrong IP version");
    plan.header_len = info.l4_offset + static_cast<size_t>(packet[info.l4_offset + 12] >> 4) * 4;
  } else if (kind == kGsoUdpL4) {
    if (info.protocol != kProtoUdp) return fail("UDP GSO on a packet of protocol " + to_string(info.protocol));
    plan.header_len = info.l4_offset + 8;
  } else {
    return fail("unsupported GSO type " + to_string(kind));
  }
  if (h.gso_size == 0) return fail("GSO with gso_size 0");
  if (plan.header_len > packet.size())
    return fail("GSO headers of " + to_string(plan.header_len) + " bytes exceed the packet");
  plan.payload_len = packet.size() - plan.header_len;
  plan.segment_payload = h.gso_size;
  plan.count = std::max<size_t>(1, (plan.payload_len + h.gso_size - 1) / h.gso_size);
  return plan;
}

size_t build_segment(const GsoPlan& plan, std::span<const uint8_t> packet, size_t index, uint8_t* out) {
  const size_t offset = index * plan.segment_payload;
  const size_t chunk = std::min(plan.segment_payload, plan.payload_len - std::min(offset, plan.payload_len));
  const size_t total = plan.header_len + chunk;
  std::memcpy(out, packet.data(), plan.header_len);
  std::memcpy(out + plan.header_len, packet.data() + plan.header_len + offset, chunk);

  const size_t address_bytes = plan.v6 ? 16 : 4;
  const uint8_t* src = out + (plan.v6 ? 8 : 12);
  const uint8_t* dst = src + address_bytes;
  if (plan.v6) {
    store_be16(out + 4, static_cast<uint16_t>(total - 40));
  } else {
    const uint16_t id = static_cast<uint16_t>(load_be16(packet.data() + 4) + index);
    fix_ipv4_header(out, static_cast<size_t>(out[0] & 0x0f) * 4, total, id);
  }
  uint8_t* l4 = out + plan.l4_offset;
  const size_t l4_len = total - plan.l4_offset;
  size_t csum_at = 0;
  if (plan.protocol == kProtoTcp) {
    store_be32(l4 + 4, static_cast<uint32_t>(load_be32(l4 + 4) + offset));
    const bool last = index + 1 == plan.count;
    uint8_t flags = l4[13];
    if (!last) flags = static_cast<uint8_t>(flags & ~(kTcpFin | kTcpPsh));
    if (index != 0) flags = static_cast<uint8_t>(flags & ~kTcpCwr);
    l4[13] = flags;
    csum_at = 16;
  } else {
    store_be16(l4 + 4, static_cast<uint16_t>(l4_len));
    csum_at = 6;
  }
  store_be16(l4 + csum_at, 0);
  const uint64_t pseudo = pseudo_header_sum(src, dst, address_bytes, plan.protocol,
                                            static_cast<uint32_t>(l4_len));
  uint16_t sum = checksum({l4, l4_len}, pseudo);
  if (plan.protocol == kProtoUdp && sum == 0) sum = 0xffff;  // 0 means "no checksum" in UDP
  store_be16(l4 + csum_at, sum);
  return total;
}

}  // namespace emp::tuntap
