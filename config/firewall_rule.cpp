#include "config/firewall_rule.h"

#include <charconv>
#include <vector>

#include "config/text.h"

namespace emp::config {
namespace {

Result<std::optional<IpPrefix>> parse_endpoint(std::string_view word) {
  // uWSGI wrote "0.0.0.0" for "any"; we read both unspecified addresses that way so a
  // uWSGI rule set never silently stops covering IPv6.
  if (word == "any" || word == "0.0.0.0" || word == "::") return std::optional<IpPrefix>{};
  auto p = parse_ip_prefix(word);
  if (!p) return forward_error(std::move(p));
  return std::optional<IpPrefix>{network_of(*p)};
}

Result<uint8_t> parse_protocol(std::string_view word) {
  if (word == "tcp") return uint8_t{6};
  if (word == "udp") return uint8_t{17};
  if (word == "icmp") return uint8_t{1};
  if (word == "icmpv6") return uint8_t{58};
  unsigned n = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
  if (ec == std::errc{} && end == word.data() + word.size() && n <= 255)
    return static_cast<uint8_t>(n);
  return fail("unknown protocol '" + std::string(word) +
              "' (expected tcp, udp, icmp, icmpv6 or a number 0..255)");
}

Result<uint16_t> parse_port(std::string_view word) {
  unsigned n = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
  if (ec != std::errc{} || end != word.data() + word.size() || n > 65535)
    return fail("invalid port '" + std::string(word) + "' (expected 0..65535)");
  return static_cast<uint16_t>(n);
}

Result<PortRange> parse_ports(std::string_view word) {
  const auto dash = word.find('-');
  EMP_TRY(const uint16_t first, parse_port(word.substr(0, dash)));
  if (dash == std::string_view::npos) return PortRange{first, first};
  EMP_TRY(const uint16_t last, parse_port(word.substr(dash + 1)));
  if (last < first) return fail("invalid port range '" + std::string(word) + "': end before start");
  return PortRange{first, last};
}

std::string endpoint_text(const std::optional<IpPrefix>& p) {
  return p ? p->to_string() : std::string("any");
}

std::string ports_text(const PortRange& r) {
  return r.first == r.last ? std::to_string(r.first)
                           : std::to_string(r.first) + "-" + std::to_string(r.last);
}

std::string normalized_text(const FirewallRule& r) {
  std::string t = r.action == FirewallAction::Allow ? "allow" : "deny";
  if (r.is_policy) return t;
  t += " " + endpoint_text(r.src) + " " + endpoint_text(r.dst);
  if (r.protocol) {
    static constexpr std::pair<uint8_t, const char*> kNames[] = {
        {6, "tcp"}, {17, "udp"}, {1, "icmp"}, {58, "icmpv6"}};
    std::string name = std::to_string(*r.protocol);
    for (const auto& [number, text] : kNames)
      if (number == *r.protocol) name = text;
    t += " proto " + name;
  }
  if (r.sport) t += " sport " + ports_text(*r.sport);
  if (r.dport) t += " dport " + ports_text(*r.dport);
  return t;
}

Result<FirewallRule> parse_words(const std::vector<std::string_view>& w) {
  FirewallRule r;
  if (w.empty()) return fail("empty rule (expected 'allow|deny [SRC DST ...]')");
  if (w[0] == "allow") {
    r.action = FirewallAction::Allow;
  } else if (w[0] == "deny") {
    r.action = FirewallAction::Deny;
  } else {
    return fail("unknown action '" + std::string(w[0]) + "' (expected allow or deny)");
  }
  if (w.size() == 1) {
    r.is_policy = true;
    return r;
  }
  if (w.size() < 3) return fail("a rule needs both SRC and DST (use 'any' for any address)");
  EMP_TRY(r.src, parse_endpoint(w[1]));
  EMP_TRY(r.dst, parse_endpoint(w[2]));
  if (r.src && r.dst && r.src->address.family != r.dst->address.family)
    return fail("SRC and DST are of different address families");
  for (size_t i = 3; i < w.size(); i += 2) {
    if (i + 1 >= w.size())
      return fail("'" + std::string(w[i]) + "' needs a value");
    const auto word = w[i];
    const auto value = w[i + 1];
    if (word == "proto") {
      if (r.protocol) return fail("'proto' given twice");
      EMP_TRY(r.protocol, parse_protocol(value));
    } else if (word == "sport" || word == "dport") {
      auto& slot = word == "sport" ? r.sport : r.dport;
      if (slot) return fail("'" + std::string(word) + "' given twice");
      EMP_TRY(slot, parse_ports(value));
    } else {
      return fail("unexpected '" + std::string(word) + "' (expected proto, sport or dport)");
    }
  }
  if ((r.sport || r.dport) && !(r.protocol && (*r.protocol == 6 || *r.protocol == 17)))
    return fail("ports need 'proto tcp' or 'proto udp'");
  return r;
}

}  // namespace

Result<FirewallRule> parse_firewall_rule(std::string_view text) {
  auto r = parse_words(split_words(text));
  if (!r) return fail("invalid firewall rule '" + std::string(trim(text)) + "': " + r.error().message);
  r->text = normalized_text(*r);
  return r;
}

}  // namespace emp::config
