// The router's destination table: host routes in a hash map (the common case, one per
// peer address) and prefix routes in a binary trie with longest-prefix match, one per
// address family. Never a list scan. Targets are small integers the engine maps to peers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "config/ip_address.h"
#include "sys/result.h"

namespace emp::tuntap {

struct IpAddressHash {
  size_t operator()(const config::IpAddress& a) const;
};

class RouteTable {
 public:
  using Target = uint32_t;
  // Not a peer: the router device's own subnet, where no peer owns the address. Nothing
  // is written there (the host's kernel would drop it unseen); the packet is a no_route drop.
  static constexpr Target kNoPeer = UINT32_MAX;

  // A host route; an address already routed is refused (its owner is never replaced):
  // "route to 10.0.0.2: already taken by target 3".
  Result<void> add_host(const config::IpAddress& address, Target target);
  // A prefix route (host bits ignored); the same prefix twice is refused.
  Result<void> add_prefix(const config::IpPrefix& prefix, Target target);

  // The host route if there is one, else the longest matching prefix.
  std::optional<Target> lookup(const config::IpAddress& address) const;
  // Only the host route.
  std::optional<Target> host(const config::IpAddress& address) const;

  size_t host_count() const { return hosts_.size(); }

  // The router device's own routes, added after the peers' hosts: each of its addresses
  // is a host route to `device` (one a peer already holds stays the peer's: the first
  // owner is never replaced), and each connected prefix (10.88.0.1/24 -> 10.88.0.0/24)
  // leads to kNoPeer. The same prefix twice is added once.
  void add_device_routes(std::span<const config::IpPrefix> addresses, Target device);

 private:
  struct Node {
    int32_t child[2] = {-1, -1};
    int64_t target = -1;
  };
  std::vector<Node>& trie(config::IpFamily f) { return f == config::IpFamily::V4 ? v4_ : v6_; }
  const std::vector<Node>& trie(config::IpFamily f) const {
    return f == config::IpFamily::V4 ? v4_ : v6_;
  }

  std::unordered_map<config::IpAddress, Target, IpAddressHash> hosts_;
  std::vector<Node> v4_{Node{}};
  std::vector<Node> v6_{Node{}};
};

}  // namespace emp::tuntap
