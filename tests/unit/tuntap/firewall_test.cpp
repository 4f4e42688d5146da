#include <doctest/doctest.h>

#include "config/firewall_rule.h"
#include "tests/unit/tuntap/packets.h"
#include "tuntap/firewall.h"
#include "tuntap/packet.h"

using namespace emp::tuntap;
using namespace emp::tuntap::test;

namespace {

Firewall chain(std::initializer_list<const char*> rules) {
  std::vector<emp::config::FirewallRule> parsed;
  for (const char* r : rules) {
    auto p = emp::config::parse_firewall_rule(r);
    REQUIRE_MESSAGE(p, r);
    parsed.push_back(*p);
  }
  return Firewall::compile(parsed);
}

PacketInfo pkt(const Spec& s) { return *parse_packet(build(s)); }

std::vector<uint64_t> hits(const Firewall& fw) {
  std::vector<uint64_t> out;
  for (const auto& e : fw.stats()) out.push_back(e.hits);
  return out;
}

}  // namespace

TEST_CASE("an empty chain allows everything and counts nothing") {
  Firewall fw;
  CHECK(fw.empty());
  CHECK(fw.allows(pkt({})));
  CHECK(fw.stats().empty());
  CHECK(Firewall::compile({}).allows(pkt({})));
}

TEST_CASE("first match wins; the policy decides the rest; counters follow") {
  auto fw = chain({"allow 10.0.0.2 10.0.0.1", "deny 10.0.0.0/24 10.0.0.0/24", "allow 10.0.0.0/24 any", "deny"});
  CHECK(fw.allows(pkt({.src = "10.0.0.2", .dst = "10.0.0.1"})));
  CHECK_FALSE(fw.allows(pkt({.src = "10.0.0.2", .dst = "10.0.0.3"})));
  CHECK(fw.allows(pkt({.src = "10.0.0.2", .dst = "8.8.8.8"})));
  CHECK_FALSE(fw.allows(pkt({.src = "192.168.0.2", .dst = "8.8.8.8"})));
  CHECK_FALSE(fw.allows(pkt({.src = "fd00::2", .dst = "fd00::1"})));
  CHECK(hits(fw) == std::vector<uint64_t>{1, 1, 1, 2});
  auto s = fw.stats();
  CHECK(s[0].rule == "allow 10.0.0.2 10.0.0.1");
  CHECK(s[1].rule == "deny 10.0.0.0/24 10.0.0.0/24");
  CHECK(s[2].rule == "allow 10.0.0.0/24 any");
  CHECK(s[3].rule == "deny");
}

TEST_CASE("the policy is the last bare action wherever it stands; default allow") {
  auto fw = chain({"deny", "allow 10.0.0.2 any", "allow"});
  CHECK(fw.allows(pkt({.src = "10.0.0.9"})));
  auto fw2 = chain({"deny", "allow 10.0.0.2 any"});
  CHECK_FALSE(fw2.allows(pkt({.src = "10.0.0.9"})));
  CHECK(fw2.allows(pkt({.src = "10.0.0.2"})));
  auto fw3 = chain({"deny 10.0.0.3 any"});
  CHECK(fw3.allows(pkt({.src = "10.0.0.9"})));
  CHECK(fw3.stats().back().rule == "allow");
}

TEST_CASE("uWSGI's 0.0.0.0 and :: mean any address of either family") {
  auto fw = chain({"deny 0.0.0.0 10.0.0.1", "deny :: fd00::1"});
  CHECK_FALSE(fw.allows(pkt({.src = "10.9.9.9", .dst = "10.0.0.1"})));
  CHECK_FALSE(fw.allows(pkt({.src = "fd00::9", .dst = "fd00::1"})));
  CHECK(fw.allows(pkt({.src = "fd00::9", .dst = "fd00::2"})));
  auto any6 = chain({"deny any any", "allow"});
  CHECK_FALSE(any6.allows(pkt({.src = "fd00::9", .dst = "fd00::2"})));
}

TEST_CASE("IPv6 prefixes of every length") {
  auto fw = chain({"deny fd00:1::/32 any", "deny any 2001:db8::1", "deny fd00:2:3:4:5::/80 any", "allow"});
  CHECK_FALSE(fw.allows(pkt({.src = "fd00:1:ffff::1", .dst = "fd00::1"})));
  CHECK(fw.allows(pkt({.src = "fd00:2::1", .dst = "fd00::1"})));
  CHECK_FALSE(fw.allows(pkt({.src = "fd00::1", .dst = "2001:db8::1"})));
  CHECK(fw.allows(pkt({.src = "fd00::1", .dst = "2001:db8::2"})));
  CHECK_FALSE(fw.allows(pkt({.src = "fd00:2:3:4:5:0:ffff:1", .dst = "fd00::1"})));
  CHECK(fw.allows(pkt({.src = "fd00:2:3:4:6::1", .dst = "fd00::1"})));
}

TEST_CASE("protocol and port forms") {
  auto fw = chain({"deny any any proto icmp", "deny any 10.0.0.1 proto tcp dport 22",
                   "deny any any proto udp sport 1000-2000", "deny any any proto tcp sport 5 dport 6-7",
                   "deny any any proto 132", "allow"});
  CHECK_FALSE(fw.allows(pkt({.protocol = 1})));
  CHECK_FALSE(fw.allows(pkt({.protocol = 6, .dport = 22})));
  CHECK(fw.allows(pkt({.dst = "10.0.0.9", .protocol = 6, .dport = 22})));
  CHECK(fw.allows(pkt({.protocol = 6, .dport = 23})));
  CHECK_FALSE(fw.allows(pkt({.protocol = 17, .sport = 1000})));
  CHECK_FALSE(fw.allows(pkt({.protocol = 17, .sport = 2000})));
  CHECK(fw.allows(pkt({.protocol = 17, .sport = 2001})));
  CHECK(fw.allows(pkt({.protocol = 17, .sport = 999})));
  CHECK_FALSE(fw.allows(pkt({.protocol = 6, .sport = 5, .dport = 7})));
  CHECK(fw.allows(pkt({.protocol = 6, .sport = 5, .dport = 8})));
  CHECK(fw.allows(pkt({.protocol = 6, .sport = 4, .dport = 7})));
  CHECK(hits(fw) == std::vector<uint64_t>{1, 1, 2, 1, 0, 6});
  auto icmp6 = chain({"deny any any proto icmpv6", "allow"});
  CHECK_FALSE(icmp6.allows(pkt({.src = "fd00::2", .dst = "fd00::1", .protocol = 58})));
}

TEST_CASE("a later fragment has no ports: port rules never match it") {
  auto fw = chain({"allow any any proto udp dport 53", "deny"});
  auto b = build({.protocol = 17, .dport = 53, .payload = 16});
  CHECK(fw.allows(*parse_packet(b)));
  b[6] = 0;
  b[7] = 2;  // offset 16 bytes
  auto later = *parse_packet(b);
  CHECK_FALSE(fw.allows(later));
}
