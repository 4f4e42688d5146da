// The firewall rule language of tuntap-router-firewall-in/-out and of a vassal's own
// tuntap-firewall-in/-out, parsed into plain values the router compiles.
//
// Grammar (docs/firewall.md):
//   RULE    := ACTION                                  -- the chain's default policy
//            | ACTION SRC DST [proto PROTO] [sport PORTS] [dport PORTS]
//   ACTION  := allow | deny              (anything else is an error, never a silent allow)
//   SRC,DST := any | ADDR | ADDR/N       (ADDR alone is one host; uWSGI's 0.0.0.0 and ::
//                                          alone mean any address of either family)
//   PROTO   := tcp | udp | icmp | icmpv6 | NUMBER(0..255)
//   PORTS   := N | N-M                   (only with proto tcp or udp)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/ip_address.h"
#include "sys/result.h"

namespace emp::config {

enum class FirewallAction : uint8_t { Allow, Deny };

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
  bool contains(uint16_t port) const { return port >= first && port <= last; }
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

struct FirewallRule {
  FirewallAction action = FirewallAction::Deny;
  bool is_policy = false;          // a bare ACTION: sets the chain's default
  std::optional<IpPrefix> src;     // nullopt: any address, any family
  std::optional<IpPrefix> dst;
  std::optional<uint8_t> protocol;  // IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6)
  std::optional<PortRange> sport;
  std::optional<PortRange> dport;
  std::string text;  // normalized text, for status output and the spec's JSON form

  friend bool operator==(const FirewallRule&, const FirewallRule&) = default;
};

// Errors read: invalid firewall rule 'drop 1.2.3.4 any': unknown action 'drop' (expected allow or deny)
Result<FirewallRule> parse_firewall_rule(std::string_view text);

}  // namespace emp::config
