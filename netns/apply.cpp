#include "netns/apply.h"

#include <sys/socket.h>

#include <span>

namespace emp::netns {
namespace {

int family_of(const config::IpAddress& a) {
  return a.family == config::IpFamily::V4 ? AF_INET : AF_INET6;
}
std::span<const uint8_t> bytes_of(const config::IpAddress& a) {
  return {a.bytes.data(), a.family == config::IpFamily::V4 ? 4u : 16u};
}

}  // namespace

Result<void> apply(sys::RouteSocket& socket, const Op& op) {
  switch (op.kind) {
    case OpKind::LinkUp: return socket.set_link_up(op.link);
    case OpKind::SetMtu: return socket.set_mtu(op.link, op.mtu);
    case OpKind::AddAddress:
      if (!op.address) return fail("add address to link '" + op.link + "': no address");
      // The vassal's link is a point-to-point tun: nobody else can hold the address, and
      // duplicate address detection would only delay IPv6 for a second or more.
      return socket.add_address(op.link, family_of(op.address->address),
                                bytes_of(op.address->address), op.address->length,
                                op.address->address.family == config::IpFamily::V6);
    case OpKind::AddDefaultRoute:
      if (!op.gateway) return fail("add default route on link '" + op.link + "': no gateway");
      return socket.add_default_route(op.link, family_of(*op.gateway), bytes_of(*op.gateway),
                                      op.onlink);
    case OpKind::CreateTun:
      return fail("create tun '" + op.link + "': the vassal binary creates the device");
  }
  return fail("unknown network op");
}

}  // namespace emp::netns
