// The vassal's network, as a list of plain ops: loopback, its device's MTU, addresses,
// link state and default routes. Pure: netns/apply runs the ops through sys/netlink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/ip_address.h"
#include "config/vassal_spec.h"

namespace emp::netns {

enum class OpKind : uint8_t {
  LinkUp,           // link
  CreateTun,        // link: the vassal binary creates it (and keeps its fds)
  SetMtu,           // link, mtu
  AddAddress,       // link, address
  AddDefaultRoute,  // link, gateway, onlink
};
const char* op_name(OpKind k);  // "link-up", "create-tun", ...

struct Op {
  OpKind kind = OpKind::LinkUp;
  std::string link;
  uint32_t mtu = 0;
  std::optional<config::IpPrefix> address;
  std::optional<config::IpAddress> gateway;
  // The gateway is outside every address of its family on the link: the route must be
  // declared on-link or the kernel refuses it as unreachable.
  bool onlink = false;
  friend bool operator==(const Op&, const Op&) = default;
};

inline constexpr uint32_t kDefaultMtu = 1500;

// own_namespace: the vassal has a network namespace of its own (loopback is then brought
// up unless net-loopback = false). The caller refuses net keys without one.
std::vector<Op> plan(const config::VassalSpec& spec, bool own_namespace);

// "link-up lo", "add-address uwsgi0 10.0.0.2/24", "add-default-route uwsgi0 via 10.0.0.1"
std::string describe(const Op& op);

}  // namespace emp::netns
