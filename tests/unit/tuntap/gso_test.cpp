#include <doctest/doctest.h>

#include "tests/unit/tuntap/packets.h"
#include "tuntap/bytes.h"
#include "tuntap/checksum.h"
#include "tuntap/gso.h"

using namespace emp::tuntap;
using namespace emp::tuntap::test;

namespace {

std::vector<Bytes> segments(const Bytes& p, const VnetHeader& h) {
  auto info = parse_packet(p);
  REQUIRE(info);
  auto plan = plan_segments(p, h, *info);
  REQUIRE_MESSAGE(plan, plan.error().message);
  std::vector<Bytes> out;
  for (size_t i = 0; i < plan->count; ++i) {
    Bytes seg(plan->header_len + plan->segment_payload);
    seg.resize(build_segment(*plan, p, i, seg.data()));
    out.push_back(seg);
  }
  return out;
}

VnetHeader gso(uint8_t type, uint16_t size) {
  VnetHeader h;
  h.flags = kVnetFlagNeedsCsum;
  h.gso_type = type;
  h.gso_size = size;
  return h;
}

// The payload bytes of every segment, in order, equal the super-packet's.
void check_payload(const Bytes& super, size_t header_len, const std::vector<Bytes>& segs) {
  Bytes joined;
  for (const auto& s : segs) joined.insert(joined.end(), s.begin() + static_cast<long>(header_len), s.end());
  CHECK(joined == Bytes(super.begin() + static_cast<long>(header_len), super.end()));
}

}  // namespace

TEST_CASE("checksum: RFC 1071 example and odd lengths") {
  const Bytes rfc = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(checksum_fold(checksum_add(rfc)) == 0xddf2);
  CHECK(checksum(Bytes{0xff}) == static_cast<uint16_t>(~0xff00));
  CHECK(checksum(Bytes{}) == 0xffff);
}

TEST_CASE("TCP over IPv4 is cut at gso_size with ids, sequence numbers, flags and checksums") {
  auto super = build({.protocol = 6, .payload = 3500, .tcp_flags = 0x80 | 0x18 | 0x01, .seq = 0xfffffc00, .ip_id = 0xfffe});
  auto segs = segments(super, gso(kGsoTcpV4, 1448));
  REQUIRE(segs.size() == 3);
  const uint32_t seqs[] = {0xfffffc00, 0xfffffc00 + 1448, 0xfffffc00 + 2896};  // wraps
  for (size_t i = 0; i < 3; ++i) {
    const auto& s = segs[i];
    CAPTURE(i);
    CHECK(load_be16(&s[2]) == s.size());
    CHECK(load_be16(&s[4]) == static_cast<uint16_t>(0xfffe + i));
    CHECK(ipv4_header_checksum_ok(s));
    CHECK(l4_checksum_ok(s));
    CHECK(load_be32(&s[24]) == seqs[i]);
    const uint8_t flags = s[33];
    CHECK(((flags & 0x80) != 0) == (i == 0));   // CWR only first
    CHECK(((flags & 0x09) != 0) == (i == 2));   // FIN/PSH only last
    CHECK((flags & 0x10) != 0);                 // ACK everywhere
  }
  CHECK(segs[0].size() == 40 + 1448);
  CHECK(segs[2].size() == 40 + 3500 - 2 * 1448);
  check_payload(super, 40, segs);
}

TEST_CASE("TCP over IPv6 and UDP segmentation (USO) over both families") {
  auto v6 = build({.src = "fd00::2", .dst = "fd00::1", .protocol = 6, .payload = 4000});
  auto s6 = segments(v6, gso(kGsoTcpV6, 1000));
  REQUIRE(s6.size() == 4);
  for (const auto& s : s6) {
    CHECK(load_be16(&s[4]) == s.size() - 40);
    CHECK(l4_checksum_ok(s));
  }
  check_payload(v6, 60, s6);

  auto u4 = build({.protocol = 17, .payload = 2500});
  auto su4 = segments(u4, gso(kGsoUdpL4, 1200));
  REQUIRE(su4.size() == 3);
  for (const auto& s : su4) {
    CHECK(load_be16(&s[24]) == s.size() - 20);  // UDP length
    CHECK(l4_checksum_ok(s));
    CHECK(ipv4_header_checksum_ok(s));
  }
  auto u6 = build({.src = "fd00::2", .dst = "fd00::1", .protocol = 17, .payload = 1201});
  auto su6 = segments(u6, gso(kGsoUdpL4, 1200));
  REQUIRE(su6.size() == 2);
  CHECK(su6[1].size() == 40 + 8 + 1);
  for (const auto& s : su6) CHECK(l4_checksum_ok(s));
}

TEST_CASE("a super-packet no larger than gso_size is one segment") {
  auto p = build({.protocol = 6, .payload = 100});
  auto segs = segments(p, gso(kGsoTcpV4 | kGsoEcn, 1448));
  REQUIRE(segs.size() == 1);
  CHECK(segs[0] == p);
}

TEST_CASE("plan_segments refuses what it cannot cut") {
  auto refuse = [](const Bytes& p, VnetHeader h, const char* message) {
    auto info = parse_packet(p);
    REQUIRE(info);
    auto plan = plan_segments(p, h, *info);
    REQUIRE_FALSE(plan);
    CHECK(plan.error().message == message);
  };
  auto tcp = build({.protocol = 6, .payload = 100});
  auto udp = build({.protocol = 17, .payload = 100});
  refuse(udp, gso(kGsoTcpV4, 10), "TCP GSO on a packet of protocol 17");
  refuse(tcp, gso(kGsoUdpL4, 10), "UDP GSO on a packet of protocol 6");
  refuse(tcp, gso(kGsoTcpV6, 10), "GSO type 4 on the wrong IP version");
  refuse(tcp, gso(kGsoUdp, 10), "unsupported GSO type 3");
  refuse(tcp, gso(kGsoTcpV4, 0), "GSO with gso_size 0");
  auto frag = tcp;
  frag[6] = 0x20;  // MF
  refuse(frag, gso(kGsoTcpV4, 10), "GSO on a fragment");
}

TEST_CASE("complete_checksum finishes a partial checksum the kernel seeded") {
  for (const auto& spec : {Spec{.protocol = 6, .payload = 999}, Spec{.src = "fd00::2", .dst = "fd00::1", .protocol = 17, .payload = 77}}) {
    auto p = build(spec);
    auto info = *parse_packet(p);
    const size_t at = info.l4_offset + (spec.protocol == 6 ? 16 : 6);
    const bool v6 = info.is_v6();
    // What a kernel leaves: the folded pseudo-header sum, not complemented.
    const uint8_t* src = p.data() + (v6 ? 8 : 12);
    const uint16_t seed = checksum_fold(pseudo_header_sum(src, src + (v6 ? 16 : 4), v6 ? 16 : 4, spec.protocol,
                                                         static_cast<uint32_t>(p.size() - info.l4_offset)));
    store_be16(&p[at], seed);
    CHECK_FALSE(l4_checksum_ok(p));
    VnetHeader h;
    h.flags = kVnetFlagNeedsCsum;
    h.csum_start = info.l4_offset;
    h.csum_offset = static_cast<uint16_t>(at - info.l4_offset);
    REQUIRE(complete_checksum(p, h));
    CHECK(l4_checksum_ok(p));
  }
  auto p = build({.protocol = 6});
  VnetHeader bad;
  bad.csum_start = 30;
  bad.csum_offset = 10;
  auto r = complete_checksum(p, bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "partial checksum at 30+10 lies outside the 40-byte packet");
}

TEST_CASE("vnet header round trip") {
  uint8_t raw[kVnetHeaderSize];
  VnetHeader h;
  h.flags = 1;
  h.gso_type = kGsoTcpV6 | kGsoEcn;
  h.hdr_len = 74;
  h.gso_size = 1428;
  h.csum_start = 40;
  h.csum_offset = 16;
  write_vnet_header(raw, h);
  auto back = read_vnet_header(raw);
  CHECK(back.gso_kind() == kGsoTcpV6);
  CHECK(back.is_gso());
  CHECK(back.needs_csum());
  CHECK(back.hdr_len == 74);
  CHECK(back.gso_size == 1428);
  CHECK(back.csum_start == 40);
  CHECK(back.csum_offset == 16);
  CHECK(raw[4] == (1428 & 0xff));  // little-endian on the wire
}
