#include "tests/unit/tuntap/packets.h"

#include "tuntap/bytes.h"
#include "tuntap/checksum.h"
#include "tuntap/packet.h"

namespace emp::tuntap::test {

config::IpAddress addr(const std::string& text) { return *config::parse_ip_address(text); }

namespace {

size_t l4_header_size(uint8_t protocol) {
  if (protocol == 6) return 20;
  if (protocol == 17) return 8;
  return 8;  // ICMP echo
}

uint64_t pseudo(const Bytes& p, bool v6, uint8_t protocol, size_t l4_len) {
  const uint8_t* src = p.data() + (v6 ? 8 : 12);
  return pseudo_header_sum(src, src + (v6 ? 16 : 4), v6 ? 16 : 4, protocol, static_cast<uint32_t>(l4_len));
}

}  // namespace

Bytes build(const Spec& s) {
  const auto src = addr(s.src);
  const auto dst = addr(s.dst);
  const bool v6 = src.family == config::IpFamily::V6;
  const size_t ip_len = v6 ? 40 : 20;
  const size_t l4 = l4_header_size(s.protocol);
  Bytes p(ip_len + l4 + s.payload, 0);
  if (v6) {
    p[0] = 0x60;
    store_be16(&p[4], static_cast<uint16_t>(l4 + s.payload));
    p[6] = s.protocol;
    p[7] = 64;
    std::copy(src.bytes.begin(), src.bytes.end(), p.begin() + 8);
    std::copy(dst.bytes.begin(), dst.bytes.end(), p.begin() + 24);
  } else {
    p[0] = 0x45;
    store_be16(&p[2], static_cast<uint16_t>(p.size()));
    store_be16(&p[4], s.ip_id);
    p[8] = 64;
    p[9] = s.protocol;
    std::copy(src.bytes.begin(), src.bytes.begin() + 4, p.begin() + 12);
    std::copy(dst.bytes.begin(), dst.bytes.begin() + 4, p.begin() + 16);
    store_be16(&p[10], checksum({p.data(), 20}));
  }
  uint8_t* h = p.data() + ip_len;
  for (size_t i = 0; i < s.payload; ++i) h[l4 + i] = static_cast<uint8_t>(i * 7 + 3);
  size_t csum_at = 0;
  if (s.protocol == 6) {
    store_be16(h, s.sport);
    store_be16(h + 2, s.dport);
    store_be32(h + 4, s.seq);
    h[12] = 5 << 4;
    h[13] = s.tcp_flags;
    store_be16(h + 14, 65535);
    csum_at = 16;
  } else if (s.protocol == 17) {
    store_be16(h, s.sport);
    store_be16(h + 2, s.dport);
    store_be16(h + 4, static_cast<uint16_t>(l4 + s.payload));
    csum_at = 6;
  } else {
    h[0] = s.icmp_type;
    csum_at = 2;
  }
  const size_t l4_len = l4 + s.payload;
  const bool pseudo_header = s.protocol == 6 || s.protocol == 17 || s.protocol == 58;
  uint16_t sum = checksum({h, l4_len}, pseudo_header ? pseudo(p, v6, s.protocol, l4_len) : 0);
  if (!s.valid_l4_checksum) sum = static_cast<uint16_t>(sum ^ 0x5555);
  store_be16(h + csum_at, sum);
  return p;
}

bool l4_checksum_ok(const Bytes& p) {
  auto info = parse_packet(p);
  if (!info) return false;
  const size_t l4_len = p.size() - info->l4_offset;
  const bool pseudo_header = info->protocol == 6 || info->protocol == 17 || info->protocol == 58;
  const uint64_t init = pseudo_header ? pseudo(p, info->is_v6(), info->protocol, l4_len) : 0;
  return checksum({p.data() + info->l4_offset, l4_len}, init) == 0;
}

bool ipv4_header_checksum_ok(const Bytes& p) {
  return checksum({p.data(), static_cast<size_t>(p[0] & 0x0f) * 4}) == 0;
}

}  // namespace emp::tuntap::test
