// Anti-spoofing for one peer. A peer with declared addresses may send only from them. A
// peer without any learns, per address family, the source of its first packet that is
// not link-scope, and keeps it for life. Learning is published with release/acquire so
// router threads reading other queues of the same peer see it whole.
#pragma once

#include <atomic>
#include <string_view>
#include <vector>

#include "config/ip_address.h"

namespace emp::tuntap {

// Why `a` can never be a peer's address ("a loopback address", "the unspecified address",
// "a multicast address", "the broadcast address", "in 0.0.0.0/8", "an IPv4-mapped address",
// "a link-local address"), or empty when it can be. A peer is never given such an
// address: not by learning, not by declaring it.
std::string_view unusable_peer_address(const config::IpAddress& a);

class SourceGuard {
 public:
  // No declared addresses: learning.
  explicit SourceGuard(std::vector<config::IpAddress> declared = {});
  SourceGuard(const SourceGuard&) = delete;
  SourceGuard& operator=(const SourceGuard&) = delete;

  enum class Verdict { Allowed, Spoofed, Learn };
  Verdict check(const config::IpAddress& source) const;

  bool learning() const { return declared_.empty(); }
  // Records `source` as the peer's address of its family; false when that family has
  // one already (the first is kept). Callers serialise learning (the router holds its
  // state lock), readers need no lock.
  bool learn(const config::IpAddress& source);

  // Declared addresses, or the learned ones.
  std::vector<config::IpAddress> addresses() const;

 private:
  struct Learned {
    config::IpAddress address;
    std::atomic<bool> set{false};
  };
  Learned& slot(config::IpFamily f) { return f == config::IpFamily::V4 ? v4_ : v6_; }
  const Learned& slot(config::IpFamily f) const { return f == config::IpFamily::V4 ? v4_ : v6_; }

  std::vector<config::IpAddress> declared_;
  Learned v4_, v6_;
};

}  // namespace emp::tuntap
