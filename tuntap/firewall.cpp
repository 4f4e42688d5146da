#include "tuntap/firewall.h"

#include <algorithm>

#include "tuntap/bytes.h"

namespace emp::tuntap {
namespace {

uint64_t prefix_mask(int bits) {
  if (bits <= 0) return 0;
  if (bits >= 64) return ~uint64_t{0};
  return ~uint64_t{0} << (64 - bits);
}

bool matches(uint64_t hi, uint64_t lo, uint64_t net_hi, uint64_t net_lo, uint64_t mask_hi,
             uint64_t mask_lo) {
  return (hi & mask_hi) == net_hi && (lo & mask_lo) == net_lo;
}

}  // namespace

Firewall::Match Firewall::compile_match(const std::optional<config::IpPrefix>& p) {
  Match m;
  if (!p) return m;
  m.any = false;
  m.family = static_cast<uint8_t>(p->address.family);
  const int width = p->address.bit_width();
  // IPv4 lives in the top 32 bits of the high word; the low word stays all-zero.
  const int len = p->length;
  m.mask_hi = prefix_mask(std::min(len, 64));
  m.mask_lo = width == 128 ? prefix_mask(len - 64) : 0;
  m.net_hi = load_be64(p->address.bytes.data()) & m.mask_hi;
  m.net_lo = load_be64(p->address.bytes.data() + 8) & m.mask_lo;
  return m;
}

Firewall Firewall::compile(const std::vector<config::FirewallRule>& rules) {
  Firewall fw;
  if (rules.empty()) return fw;
  for (const auto& r : rules) {
    if (r.is_policy) {
      fw.policy_allow_ = r.action == config::FirewallAction::Allow;
      fw.explicit_policy_ = true;
      fw.policy_text_ = r.text.empty() ? (fw.policy_allow_ ? "allow" : "deny") : r.text;
      continue;
    }
    Rule c;
    c.allow = r.action == config::FirewallAction::Allow;
    c.src = compile_match(r.src);
    c.dst = compile_match(r.dst);
    c.family = c.src.any ? c.dst.family : c.src.family;
    if (r.protocol) c.protocol = *r.protocol;
    if (r.sport) {
      c.has_sport = true;
      c.sport_first = r.sport->first;
      c.sport_last = r.sport->last;
    }
    if (r.dport) {
      c.has_dport = true;
      c.dport_first = r.dport->first;
      c.dport_last = r.dport->last;
    }
    c.text = r.text;
    fw.rules_.push_back(std::move(c));
  }
  fw.hits_ = std::make_unique<std::atomic<uint64_t>[]>(fw.rules_.size() + 1);
  return fw;
}

bool Firewall::allows(const PacketInfo& p) const {
  if (!hits_) return true;
  const uint8_t family = static_cast<uint8_t>(p.dst.family);
  const uint64_t src_hi = load_be64(p.src.bytes.data());
  const uint64_t src_lo = load_be64(p.src.bytes.data() + 8);
  const uint64_t dst_hi = load_be64(p.dst.bytes.data());
  const uint64_t dst_lo = load_be64(p.dst.bytes.data() + 8);
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& r = rules_[i];
    if (r.family != 0 && r.family != family) continue;
    if (!r.src.any && !matches(src_hi, src_lo, r.src.net_hi, r.src.net_lo, r.src.mask_hi, r.src.mask_lo))
      continue;
    if (!r.dst.any && !matches(dst_hi, dst_lo, r.dst.net_hi, r.dst.net_lo, r.dst.mask_hi, r.dst.mask_lo))
      continue;
    if (r.protocol >= 0 && r.protocol != p.protocol) continue;
    // Ports are unknown in a later fragment: a port rule never matches it.
    if ((r.has_sport || r.has_dport) && !p.has_l4) continue;
    if (r.has_sport && (p.sport < r.sport_first || p.sport > r.sport_last)) continue;
    if (r.has_dport && (p.dport < r.dport_first || p.dport > r.dport_last)) continue;
    hits_[i].fetch_add(1, std::memory_order_relaxed);
    return r.allow;
  }
  hits_[rules_.size()].fetch_add(1, std::memory_order_relaxed);
  return policy_allow_;
}

std::vector<Firewall::Entry> Firewall::stats() const {
  std::vector<Entry> out;
  if (!hits_) return out;
  for (size_t i = 0; i < rules_.size(); ++i)
    out.push_back({rules_[i].text, hits_[i].load(std::memory_order_relaxed)});
  out.push_back({policy_text_, hits_[rules_.size()].load(std::memory_order_relaxed)});
  return out;
}

}  // namespace emp::tuntap
