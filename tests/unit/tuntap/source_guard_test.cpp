#include <doctest/doctest.h>

#include "tests/unit/tuntap/packets.h"
#include "tuntap/counters.h"
#include "tuntap/source_guard.h"

using namespace emp::tuntap;
using emp::tuntap::test::addr;

TEST_CASE("declared addresses: only they may be sources") {
  SourceGuard g({addr("10.0.0.2"), addr("fd00::2")});
  CHECK_FALSE(g.learning());
  CHECK(g.check(addr("10.0.0.2")) == SourceGuard::Verdict::Allowed);
  CHECK(g.check(addr("fd00::2")) == SourceGuard::Verdict::Allowed);
  CHECK(g.check(addr("10.0.0.3")) == SourceGuard::Verdict::Spoofed);
  CHECK(g.check(addr("fd00::3")) == SourceGuard::Verdict::Spoofed);
  CHECK_FALSE(g.learn(addr("10.0.0.3")));
  CHECK(g.check(addr("10.0.0.3")) == SourceGuard::Verdict::Spoofed);
  CHECK(g.addresses().size() == 2);
}

TEST_CASE("learning: first address per family is kept for life") {
  SourceGuard g;
  CHECK(g.learning());
  CHECK(g.check(addr("10.0.0.5")) == SourceGuard::Verdict::Learn);
  CHECK(g.check(addr("fd00::5")) == SourceGuard::Verdict::Learn);
  CHECK(g.learn(addr("10.0.0.5")));
  CHECK(g.check(addr("10.0.0.5")) == SourceGuard::Verdict::Allowed);
  CHECK(g.check(addr("10.0.0.6")) == SourceGuard::Verdict::Spoofed);
  CHECK(g.check(addr("fd00::5")) == SourceGuard::Verdict::Learn);  // IPv6 not learned yet
  CHECK_FALSE(g.learn(addr("10.0.0.6")));                          // never replaced
  CHECK(g.check(addr("10.0.0.5")) == SourceGuard::Verdict::Allowed);
  CHECK(g.learn(addr("fd00::5")));
  CHECK(g.check(addr("fd00::6")) == SourceGuard::Verdict::Spoofed);
  auto a = g.addresses();
  REQUIRE(a.size() == 2);
  CHECK(a[0] == addr("10.0.0.5"));
  CHECK(a[1] == addr("fd00::5"));
}

TEST_CASE("counters: drops by reason in JSON, only the ones seen") {
  Counters c;
  c.received(100);
  c.received(50);
  c.sent(10);
  c.drop(Drop::Spoofed);
  c.drop(Drop::Spoofed);
  c.drop(Drop::QueueFull);
  nlohmann::json j;
  c.to_json(j);
  CHECK(j["rx_packets"] == 2);
  CHECK(j["rx_bytes"] == 150);
  CHECK(j["tx_packets"] == 1);
  CHECK(j["tx_bytes"] == 10);
  CHECK(j["drops"] == nlohmann::json{{"spoofed", 2}, {"queue_full", 1}});
  for (size_t i = 0; i < kDropReasons; ++i) CHECK(drop_name(static_cast<Drop>(i)) != "unknown");
}

TEST_CASE("addresses no peer may have, with the reason") {
  CHECK(unusable_peer_address(addr("127.0.0.1")) == "a loopback address");
  CHECK(unusable_peer_address(addr("127.255.0.9")) == "a loopback address");
  CHECK(unusable_peer_address(addr("::1")) == "a loopback address");
  CHECK(unusable_peer_address(addr("0.0.0.0")) == "the unspecified address");
  CHECK(unusable_peer_address(addr("::")) == "the unspecified address");
  CHECK(unusable_peer_address(addr("0.1.2.3")) == "in 0.0.0.0/8");
  CHECK(unusable_peer_address(addr("224.0.0.1")) == "a multicast address");
  CHECK(unusable_peer_address(addr("ff02::1")) == "a multicast address");
  CHECK(unusable_peer_address(addr("255.255.255.255")) == "the broadcast address");
  CHECK(unusable_peer_address(addr("::ffff:10.0.0.1")) == "an IPv4-mapped address");
  CHECK(unusable_peer_address(addr("169.254.1.1")) == "a link-local address");
  CHECK(unusable_peer_address(addr("fe80::1")) == "a link-local address");
  CHECK(unusable_peer_address(addr("10.88.0.2")).empty());
  CHECK(unusable_peer_address(addr("fd00:88::2")).empty());
  CHECK(unusable_peer_address(addr("::2")).empty());
  CHECK(unusable_peer_address(addr("128.0.0.1")).empty());
}
