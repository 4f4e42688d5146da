#include <doctest/doctest.h>

#include "tests/unit/tuntap/packets.h"
#include "tuntap/route_table.h"

using namespace emp::tuntap;
using emp::tuntap::test::addr;

namespace {
emp::config::IpPrefix prefix(const char* text) { return *emp::config::parse_ip_prefix(text); }
}  // namespace

TEST_CASE("host routes win over prefixes; longest prefix wins among prefixes") {
  RouteTable t;
  REQUIRE(t.add_prefix(prefix("0.0.0.0/0"), 0));
  REQUIRE(t.add_prefix(prefix("10.0.0.0/8"), 1));
  REQUIRE(t.add_prefix(prefix("10.1.0.0/16"), 2));
  REQUIRE(t.add_host(addr("10.1.2.3"), 3));
  CHECK(t.lookup(addr("10.1.2.3")) == 3u);
  CHECK(t.lookup(addr("10.1.2.4")) == 2u);
  CHECK(t.lookup(addr("10.2.0.1")) == 1u);
  CHECK(t.lookup(addr("192.168.1.1")) == 0u);
  CHECK(t.host(addr("10.1.2.4")) == std::nullopt);
  CHECK(t.host_count() == 1);
}

TEST_CASE("families never mix") {
  RouteTable t;
  REQUIRE(t.add_prefix(prefix("0.0.0.0/0"), 0));
  REQUIRE(t.add_host(addr("fd00::2"), 5));
  CHECK(t.lookup(addr("fd00::3")) == std::nullopt);  // no IPv6 default route
  CHECK(t.lookup(addr("fd00::2")) == 5u);
  REQUIRE(t.add_prefix(prefix("fd00::/64"), 6));
  CHECK(t.lookup(addr("fd00::3")) == 6u);
  CHECK(t.lookup(addr("fd01::3")) == std::nullopt);
  // 10.0.0.2 and ::a00:2 have the same low bytes: still different keys.
  REQUIRE(t.add_host(addr("10.0.0.2"), 7));
  CHECK(t.lookup(addr("::a00:2")) == std::nullopt);
}

TEST_CASE("an address or prefix already routed is refused, its owner kept") {
  RouteTable t;
  REQUIRE(t.add_host(addr("10.0.0.2"), 1));
  auto again = t.add_host(addr("10.0.0.2"), 2);
  REQUIRE_FALSE(again);
  CHECK(again.error().message == "route to 10.0.0.2: already taken by target 1");
  CHECK(t.lookup(addr("10.0.0.2")) == 1u);
  REQUIRE(t.add_prefix(prefix("10.9.0.0/16"), 3));
  auto p = t.add_prefix(prefix("10.9.1.1/16"), 4);
  REQUIRE_FALSE(p);
  CHECK(p.error().message == "route to 10.9.0.0/16: already taken by target 3");
}

TEST_CASE("prefixes of every length, both families") {
  RouteTable t;
  for (int len = 0; len <= 32; ++len) {
    auto p = prefix("203.0.113.77");
    p.length = len;
    REQUIRE(t.add_prefix(p, static_cast<RouteTable::Target>(len)));
  }
  CHECK(t.lookup(addr("203.0.113.77")) == 32u);
  CHECK(t.lookup(addr("203.0.113.76")) == 31u);
  CHECK(t.lookup(addr("203.0.113.0")) == 25u);  // .77 = 0b01001101: bit 25 differs
  CHECK(t.lookup(addr("128.0.0.0")) == 1u);
  CHECK(t.lookup(addr("0.0.0.0")) == 0u);
  REQUIRE(t.add_prefix(prefix("2001:db8::/32"), 100));
  REQUIRE(t.add_prefix(prefix("2001:db8::1/128"), 101));
  CHECK(t.lookup(addr("2001:db8::1")) == 101u);
  CHECK(t.lookup(addr("2001:db8::2")) == 100u);
}

TEST_CASE("thousands of host routes") {
  RouteTable t;
  for (uint32_t i = 0; i < 5000; ++i) {
    const std::string a = "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".1";
    REQUIRE(t.add_host(addr(a), i));
  }
  CHECK(t.host_count() == 5000);
  CHECK(t.lookup(addr("10.19.249.1")) == 4999u);
  CHECK(t.lookup(addr("10.19.249.2")) == std::nullopt);
}

TEST_CASE("the router device's own routes: its addresses, then its subnets owned by no peer") {
  RouteTable t;
  REQUIRE(t.add_prefix(prefix("0.0.0.0/0"), 0));
  REQUIRE(t.add_prefix(prefix("::/0"), 0));
  REQUIRE(t.add_host(addr("10.88.0.2"), 1));   // a vassal
  REQUIRE(t.add_host(addr("10.88.0.9"), 2));   // a peer that got there first
  const emp::config::IpPrefix device[] = {prefix("10.88.0.1/24"), prefix("10.88.0.9/24"),
                                          prefix("fd00:88::1/64"), prefix("192.0.2.7/32")};
  t.add_device_routes(device, 0);
  CHECK(t.lookup(addr("10.88.0.1")) == 0u);                  // the router's own address
  CHECK(t.lookup(addr("10.88.0.2")) == 1u);                  // a peer inside the subnet
  CHECK(t.lookup(addr("10.88.0.9")) == 2u);                  // the first owner is kept
  CHECK(t.lookup(addr("10.88.0.77")) == RouteTable::kNoPeer);  // unowned in the subnet
  CHECK(t.lookup(addr("10.88.0.255")) == RouteTable::kNoPeer);
  CHECK(t.lookup(addr("10.88.1.1")) == 0u);                  // outside: to the host
  CHECK(t.lookup(addr("fd00:88::1")) == 0u);
  CHECK(t.lookup(addr("fd00:88::5")) == RouteTable::kNoPeer);
  CHECK(t.lookup(addr("fd00:89::5")) == 0u);
  CHECK(t.lookup(addr("192.0.2.7")) == 0u);                  // a /32 is a host, no subnet
  CHECK(t.lookup(addr("192.0.2.8")) == 0u);
  // Twice is harmless (a refresh).
  t.add_device_routes(device, 0);
  CHECK(t.lookup(addr("10.88.0.77")) == RouteTable::kNoPeer);
}
