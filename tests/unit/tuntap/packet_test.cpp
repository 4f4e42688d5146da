#include <doctest/doctest.h>

#include "tests/unit/tuntap/packets.h"
#include "tuntap/bytes.h"
#include "tuntap/packet.h"

using namespace emp::tuntap;
using namespace emp::tuntap::test;

namespace {
std::string error_of(const Bytes& b) {
  auto r = parse_packet(b);
  REQUIRE_FALSE(r);
  return r.error().message;
}
}  // namespace

TEST_CASE("IPv4 TCP: addresses, protocol, ports") {
  auto p = build({.src = "10.0.0.2", .dst = "10.0.0.1", .protocol = 6, .sport = 1234, .dport = 80, .payload = 10});
  auto r = parse_packet(p);
  REQUIRE(r);
  CHECK(r->src == addr("10.0.0.2"));
  CHECK(r->dst == addr("10.0.0.1"));
  CHECK(r->protocol == kProtoTcp);
  CHECK(r->l4_offset == 20);
  CHECK(r->has_l4);
  CHECK_FALSE(r->fragment);
  CHECK(r->sport == 1234);
  CHECK(r->dport == 80);
  CHECK_FALSE(r->is_v6());
}

TEST_CASE("IPv6 UDP and ICMPv6") {
  auto u = parse_packet(build({.src = "fd00::2", .dst = "fd00::1", .protocol = 17, .sport = 53, .dport = 5353}));
  REQUIRE(u);
  CHECK(u->is_v6());
  CHECK(u->protocol == kProtoUdp);
  CHECK(u->sport == 53);
  CHECK(u->dport == 5353);
  CHECK(u->l4_offset == 40);
  auto i = parse_packet(build({.src = "fd00::2", .dst = "fd00::1", .protocol = 58, .icmp_type = 128}));
  REQUIRE(i);
  CHECK(i->icmp_type == 128);
}

TEST_CASE("IPv6 extension headers are walked to the transport header") {
  auto p = build({.src = "fd00::2", .dst = "fd00::1", .protocol = 17, .sport = 7, .dport = 9});
  // Insert a hop-by-hop (8 bytes) and a destination-options header (16 bytes).
  Bytes ext = {17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // dest opts -> UDP
  Bytes hbh = {60, 0, 0, 0, 0, 0, 0, 0};                           // hop-by-hop -> dest opts
  p.insert(p.begin() + 40, ext.begin(), ext.end());
  p.insert(p.begin() + 40, hbh.begin(), hbh.end());
  p[6] = 0;
  store_be16(&p[4], static_cast<uint16_t>(p.size() - 40));
  auto r = parse_packet(p);
  REQUIRE(r);
  CHECK(r->protocol == kProtoUdp);
  CHECK(r->l4_offset == 64);
  CHECK(r->sport == 7);
  CHECK(r->dport == 9);
}

TEST_CASE("fragments: the first has ports, later ones do not") {
  auto p = build({.protocol = 17, .sport = 1, .dport = 2, .payload = 8});
  store_be16(&p[6], 0x2000);  // MF, offset 0
  auto first = parse_packet(p);
  REQUIRE(first);
  CHECK(first->fragment);
  CHECK(first->has_l4);
  CHECK(first->dport == 2);
  store_be16(&p[6], 0x0003);  // offset 24 bytes
  auto later = parse_packet(p);
  REQUIRE(later);
  CHECK(later->fragment);
  CHECK_FALSE(later->has_l4);
  CHECK(later->dport == 0);

  auto v6 = build({.src = "fd00::2", .dst = "fd00::1", .protocol = 17, .payload = 8});
  Bytes frag = {17, 0, 0x00, 0x08, 0, 0, 0, 1};  // offset 1 (8 bytes), later fragment
  v6.insert(v6.begin() + 40, frag.begin(), frag.end());
  v6[6] = 44;
  store_be16(&v6[4], static_cast<uint16_t>(v6.size() - 40));
  auto r = parse_packet(v6);
  REQUIRE(r);
  CHECK(r->fragment);
  CHECK_FALSE(r->has_l4);
  CHECK(r->protocol == kProtoUdp);
}

TEST_CASE("hostile packets are refused with the reason") {
  CHECK(error_of({}) == "empty packet");
  CHECK(error_of({0x00, 0x01}) == "not an IP packet: version 0");
  CHECK(error_of({0x50}) == "not an IP packet: version 5");
  CHECK(error_of({0x45, 0, 0, 20}) == "truncated IPv4 header: 4 bytes");
  auto p = build({.payload = 4});
  auto short_ihl = p;
  short_ihl[0] = 0x44;
  CHECK(error_of(short_ihl) == "IPv4 header length 16 is below 20");
  auto long_ihl = p;
  long_ihl[0] = 0x4f;
  CHECK(error_of(long_ihl) == "truncated IPv4 header: 44 of 60 bytes");
  auto bad_total = p;
  store_be16(&bad_total[2], 100);
  CHECK(error_of(bad_total) == "IPv4 total length 100 does not match the 44 bytes received");
  auto trailing = p;
  trailing.push_back(0);
  CHECK(error_of(trailing) == "IPv4 total length 44 does not match the 45 bytes received");

  auto tcp = build({.protocol = 6});
  auto tiny = Bytes(tcp.begin(), tcp.begin() + 30);
  store_be16(&tiny[2], 30);
  CHECK(error_of(tiny) == "truncated TCP header: 10 of 20 bytes");
  auto doff = tcp;
  doff[32] = 2 << 4;
  CHECK(error_of(doff) == "TCP data offset 8 is below 20");
  auto big_doff = tcp;
  big_doff[32] = 15 << 4;
  CHECK(error_of(big_doff) == "truncated TCP header: 20 of 60 bytes");
  auto udp = build({.protocol = 17});
  auto udp_short = Bytes(udp.begin(), udp.begin() + 24);
  store_be16(&udp_short[2], 24);
  CHECK(error_of(udp_short) == "truncated UDP header: 4 of 8 bytes");
  auto icmp = build({.protocol = 1});
  auto icmp_short = Bytes(icmp.begin(), icmp.begin() + 22);
  store_be16(&icmp_short[2], 22);
  CHECK(error_of(icmp_short) == "truncated ICMP header: 2 of 4 bytes");

  CHECK(error_of(Bytes(39, 0x60)) == "truncated IPv6 header: 39 bytes");
  auto v6 = build({.src = "fd00::2", .dst = "fd00::1", .protocol = 17});
  auto v6_len = v6;
  store_be16(&v6_len[4], 9);
  CHECK(error_of(v6_len) == "IPv6 payload length 9 does not match the 8 bytes received");
  auto jumbo = v6;
  store_be16(&jumbo[4], 0);
  CHECK(error_of(jumbo) == "IPv6 payload length 0 does not match the 8 bytes received");
}

TEST_CASE("hostile IPv6 extension chains") {
  auto base = build({.src = "fd00::2", .dst = "fd00::1", .protocol = 17});
  // An extension header that claims more bytes than there are.
  auto p = base;
  p[6] = 60;
  p[40 + 1] = 200;  // (200+1)*8 bytes
  CHECK(error_of(p) == "truncated IPv6 extension header 60: 8 of 1608 bytes");
  // A chain of destination options longer than the limit.
  Bytes chain(40, 0);
  chain[0] = 0x60;
  chain[6] = 60;
  for (int i = 0; i < 9; ++i) {
    Bytes e = {60, 0, 0, 0, 0, 0, 0, 0};
    chain.insert(chain.end(), e.begin(), e.end());
  }
  store_be16(&chain[4], static_cast<uint16_t>(chain.size() - 40));
  CHECK(error_of(chain) == "more than 8 IPv6 extension headers");
  // Hop-by-hop anywhere but first.
  Bytes hbh(40, 0);
  hbh[0] = 0x60;
  hbh[6] = 60;
  Bytes e1 = {0, 0, 0, 0, 0, 0, 0, 0};
  Bytes e2 = {59, 0, 0, 0, 0, 0, 0, 0};
  hbh.insert(hbh.end(), e1.begin(), e1.end());
  hbh.insert(hbh.end(), e2.begin(), e2.end());
  store_be16(&hbh[4], 16);
  CHECK(error_of(hbh) == "IPv6 hop-by-hop header not first");
  // An extension header cut short of its 8-byte minimum.
  Bytes cut(44, 0);
  cut[0] = 0x60;
  cut[6] = 43;
  store_be16(&cut[4], 4);
  CHECK(error_of(cut) == "truncated IPv6 extension header 43 at byte 40");
}

TEST_CASE("every truncation of a valid packet is refused or parsed, never read past its end") {
  for (const auto& spec : {Spec{.protocol = 6, .payload = 20}, Spec{.protocol = 17, .payload = 3},
                           Spec{.src = "fd00::2", .dst = "fd00::1", .protocol = 6, .payload = 5}}) {
    auto p = build(spec);
    for (size_t cut = 0; cut < p.size(); ++cut) {
      Bytes part(p.begin(), p.begin() + static_cast<long>(cut));
      CHECK_FALSE(parse_packet(part));  // the IP length no longer matches
    }
  }
}

TEST_CASE("link-scope traffic: IPv6 RS/MLD/ND, link-local, multicast, broadcast") {
  auto info = [](const char* src, const char* dst) {
    return *parse_packet(build({.src = src, .dst = dst, .protocol = 58, .icmp_type = 133}));
  };
  CHECK(is_link_scope(info("fe80::1", "ff02::2")));      // router solicitation
  CHECK(is_link_scope(info("::", "ff02::16")));          // MLD report before an address
  CHECK(is_link_scope(info("fd00::2", "ff02::1:ff00:1")));  // neighbour solicitation
  CHECK(is_link_scope(info("fd00::2", "fe80::1")));
  CHECK_FALSE(is_link_scope(info("fd00::2", "fd00::1")));
  auto v4 = [](const char* src, const char* dst) {
    return *parse_packet(build({.src = src, .dst = dst, .protocol = 17}));
  };
  CHECK(is_link_scope(v4("10.0.0.2", "224.0.0.251")));
  CHECK(is_link_scope(v4("10.0.0.2", "255.255.255.255")));
  CHECK(is_link_scope(v4("169.254.1.1", "10.0.0.1")));
  CHECK(is_link_scope(v4("0.0.0.0", "10.0.0.1")));
  CHECK_FALSE(is_link_scope(v4("10.0.0.2", "10.0.0.255")));
}
