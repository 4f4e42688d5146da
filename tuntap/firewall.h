// A compiled firewall chain: the parsed rules of tuntap-router-firewall-in/out or of a
// vassal's own tuntap-firewall-in/out, matched first-match-wins against parsed packets,
// with a hit counter per rule and for the policy. Counters are relaxed atomics: several
// router threads evaluate one chain at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/firewall_rule.h"
#include "tuntap/packet.h"

namespace emp::tuntap {

class Firewall {
 public:
  // An empty chain: everything allowed, nothing counted.
  Firewall() = default;
  // The last bare `allow|deny` sets the policy wherever it stands; without one the
  // policy is allow (uWSGI's default).
  static Firewall compile(const std::vector<config::FirewallRule>& rules);

  bool empty() const { return rules_.empty() && !explicit_policy_; }
  // First matching rule decides, else the policy; the deciding entry's counter grows.
  bool allows(const PacketInfo& packet) const;

  struct Entry {
    std::string rule;  // normalized rule text; the policy entry is "allow" or "deny"
    uint64_t hits = 0;
  };
  // The rules in order, then the policy.
  std::vector<Entry> stats() const;

 private:
  struct Match {
    bool any = true;
    uint8_t family = 0;
    uint64_t net_hi = 0, net_lo = 0, mask_hi = 0, mask_lo = 0;
  };
  struct Rule {
    bool allow = false;
    uint8_t family = 0;  // 0: either
    Match src, dst;
    int16_t protocol = -1;
    bool has_sport = false, has_dport = false;
    uint16_t sport_first = 0, sport_last = 0, dport_first = 0, dport_last = 0;
    std::string text;
  };
  static Match compile_match(const std::optional<config::IpPrefix>& p);

  std::vector<Rule> rules_;
  bool policy_allow_ = true;
  bool explicit_policy_ = false;
  std::string policy_text_ = "allow";
  std::unique_ptr<std::atomic<uint64_t>[]> hits_;  // one per rule, then the policy
};

}  // namespace emp::tuntap
