#include "tuntap/route_table.h"

#include <cstring>
#include <string>

namespace emp::tuntap {
namespace {

int bit_at(const config::IpAddress& a, int i) {
  return (a.bytes[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1;
}

}  // namespace

size_t IpAddressHash::operator()(const config::IpAddress& a) const {
  uint64_t hi = 0;
  uint64_t lo = 0;
  std::memcpy(&hi, a.bytes.data(), 8);
  std::memcpy(&lo, a.bytes.data() + 8, 8);
  // A multiply-xorshift mix: addresses of one subnet differ only in their low bytes.
  uint64_t h = (hi ^ (lo * 0x9e3779b97f4a7c15ULL) ^ static_cast<uint64_t>(a.family)) * 0xff51afd7ed558ccdULL;
  return static_cast<size_t>(h ^ (h >> 32));
}

Result<void> RouteTable::add_host(const config::IpAddress& address, Target target) {
  const auto [it, inserted] = hosts_.emplace(address, target);
  if (!inserted)
    return fail("route to " + address.to_string() + ": already taken by target " +
                std::to_string(it->second));
  return ok();
}

Result<void> RouteTable::add_prefix(const config::IpPrefix& prefix, Target target) {
  auto& nodes = trie(prefix.address.family);
  size_t at = 0;
  for (int i = 0; i < prefix.length; ++i) {
    const int b = bit_at(prefix.address, i);
    if (nodes[at].child[b] < 0) {
      nodes[at].child[b] = static_cast<int32_t>(nodes.size());
      nodes.push_back(Node{});
    }
    at = static_cast<size_t>(nodes[at].child[b]);
  }
  if (nodes[at].target >= 0)
    return fail("route to " + config::network_of(prefix).to_string() + ": already taken by target " +
                std::to_string(nodes[at].target));
  nodes[at].target = target;
  return ok();
}

void RouteTable::add_device_routes(std::span<const config::IpPrefix> addresses, Target device) {
  for (const auto& a : addresses) {
    // A taken host or an already added prefix is fine: see the header.
    [[maybe_unused]] auto host_added = add_host(a.address, device);
    if (a.length < a.address.bit_width()) [[maybe_unused]] auto prefix_added = add_prefix(a, kNoPeer);
  }
}

std::optional<RouteTable::Target> RouteTable::host(const config::IpAddress& address) const {
  if (hosts_.empty()) return std::nullopt;
  const auto it = hosts_.find(address);
  if (it == hosts_.end()) return std::nullopt;
  return it->second;
}

std::optional<RouteTable::Target> RouteTable::lookup(const config::IpAddress& address) const {
  if (auto h = host(address)) return h;
  const auto& nodes = trie(address.family);
  int64_t best = nodes[0].target;
  size_t at = 0;
  for (int i = 0; i < address.bit_width(); ++i) {
    const int32_t next = nodes[at].child[bit_at(address, i)];
    if (next < 0) break;
    at = static_cast<size_t>(next);
    if (nodes[at].target >= 0) best = nodes[at].target;
  }
  if (best < 0) return std::nullopt;
  return static_cast<Target>(best);
}

}  // namespace emp::tuntap
