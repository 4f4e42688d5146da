#include <doctest/doctest.h>

#include "config/firewall_rule.h"

namespace emp::config {
namespace {

std::string error_of(const Result<FirewallRule>& r) { return r ? "(no error)" : r.error().message; }

TEST_CASE("uWSGI's rule forms") {
  auto r = parse_firewall_rule("allow 192.168.0.0/24 192.168.0.1").value();
  CHECK(r.action == FirewallAction::Allow);
  CHECK(r.src->to_string() == "192.168.0.0/24");
  CHECK(r.dst->length == 32);
  CHECK(r.text == "allow 192.168.0.0/24 192.168.0.1");
  auto any = parse_firewall_rule("deny 0.0.0.0 0.0.0.0").value();
  CHECK_FALSE(any.src.has_value());  // uWSGI's "any", of either family: IPv6 stays covered
  CHECK_FALSE(any.dst.has_value());
  CHECK(any.text == "deny any any");
  auto policy = parse_firewall_rule(" deny ").value();
  CHECK(policy.is_policy);
  CHECK(policy.text == "deny");
  CHECK(parse_firewall_rule("allow 10.1.2.3/8 any").value().src->to_string() == "10.0.0.0/8");
}

TEST_CASE("protocols and ports") {
  auto r = parse_firewall_rule("allow any fd00::/64 proto tcp dport 80-89 sport 1024-65535").value();
  CHECK(r.protocol == 6);
  CHECK(r.dport == PortRange{80, 89});
  CHECK(r.sport == PortRange{1024, 65535});
  CHECK(r.text == "allow any fd00::/64 proto tcp sport 1024-65535 dport 80-89");
  CHECK(parse_firewall_rule("deny any any proto 47").value().text == "deny any any proto 47");
  CHECK(parse_firewall_rule("deny any any proto icmpv6").value().protocol == 58);
}

TEST_CASE("errors never fall back to allow") {
  CHECK(error_of(parse_firewall_rule("drop 1.2.3.4 any")) ==
        "invalid firewall rule 'drop 1.2.3.4 any': unknown action 'drop' (expected allow or deny)");
  CHECK(error_of(parse_firewall_rule("")) ==
        "invalid firewall rule '': empty rule (expected 'allow|deny [SRC DST ...]')");
  CHECK(error_of(parse_firewall_rule("allow 1.2.3.4")) ==
        "invalid firewall rule 'allow 1.2.3.4': a rule needs both SRC and DST (use 'any' for any address)");
  CHECK(error_of(parse_firewall_rule("allow 1.2.3.4 ::1")) ==
        "invalid firewall rule 'allow 1.2.3.4 ::1': SRC and DST are of different address families");
  CHECK(error_of(parse_firewall_rule("allow any any dport 80")) ==
        "invalid firewall rule 'allow any any dport 80': ports need 'proto tcp' or 'proto udp'");
  CHECK(error_of(parse_firewall_rule("allow any any proto sctpx")) ==
        "invalid firewall rule 'allow any any proto sctpx': unknown protocol 'sctpx' (expected tcp, udp, icmp, icmpv6 or a number 0..255)");
  CHECK(error_of(parse_firewall_rule("allow any any proto tcp dport 90-80")) ==
        "invalid firewall rule 'allow any any proto tcp dport 90-80': invalid port range '90-80': end before start");
  CHECK(error_of(parse_firewall_rule("allow any any proto tcp dport 99999")) ==
        "invalid firewall rule 'allow any any proto tcp dport 99999': invalid port '99999' (expected 0..65535)");
  CHECK(error_of(parse_firewall_rule("allow any any proto")) ==
        "invalid firewall rule 'allow any any proto': 'proto' needs a value");
  CHECK(error_of(parse_firewall_rule("allow any any proto tcp proto udp")) ==
        "invalid firewall rule 'allow any any proto tcp proto udp': 'proto' given twice");
  CHECK(error_of(parse_firewall_rule("allow any any via eth0")) ==
        "invalid firewall rule 'allow any any via eth0': unexpected 'via' (expected proto, sport or dport)");
  CHECK(error_of(parse_firewall_rule("allow 300.1.1.1 any")) ==
        "invalid firewall rule 'allow 300.1.1.1 any': invalid address '300.1.1.1': 300.1.1.1 is not an IP address");
}

TEST_CASE("prefix matching") {
  auto p = parse_ip_prefix("10.1.0.0/16").value();
  CHECK(p.contains(parse_ip_address("10.1.255.3").value()));
  CHECK_FALSE(p.contains(parse_ip_address("10.2.0.1").value()));
  CHECK_FALSE(p.contains(parse_ip_address("::1").value()));
  auto six = parse_ip_prefix("fd00:1::/33").value();
  CHECK(six.contains(parse_ip_address("fd00:1:7fff::1").value()));
  CHECK_FALSE(six.contains(parse_ip_address("fd00:1:8000::1").value()));
  CHECK(parse_ip_prefix("0.0.0.0/0").value().contains(parse_ip_address("8.8.8.8").value()));
  CHECK(parse_ip_address("fe80::1").value().is_link_local());
  CHECK(parse_ip_address("ff02::2").value().is_multicast());
  CHECK(parse_ip_address("169.254.1.1").value().is_link_local());
}

}  // namespace
}  // namespace emp::config
