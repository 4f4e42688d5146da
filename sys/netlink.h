// Route netlink through libnl-3/libnl-route-3: links, addresses and default routes in the
// caller's network namespace. No policy: netns/apply decides what to configure.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "sys/result.h"

struct nl_sock;

namespace emp::sys {

struct NlSockDeleter {
  void operator()(nl_sock* s) const;
};
using NlSockPtr = std::unique_ptr<nl_sock, NlSockDeleter>;

class RouteSocket {
 public:
  // A NETLINK_ROUTE socket, connected, close-on-exec.
  static Result<RouteSocket> open();

  Result<int> link_index(const std::string& link);
  Result<void> set_link_up(const std::string& link);
  Result<void> set_mtu(const std::string& link, uint32_t mtu);
  // family: AF_INET or AF_INET6; address: 4 or 16 bytes in network order.
  // no_dad: IPv6 duplicate address detection off (the address is usable at once).
  Result<void> add_address(const std::string& link, int family, std::span<const uint8_t> address,
                           int prefix_length, bool no_dad);
  // A default route (0.0.0.0/0 or ::/0) in the main table through gateway on link.
  Result<void> add_default_route(const std::string& link, int family,
                                 std::span<const uint8_t> gateway, bool onlink);

 private:
  explicit RouteSocket(NlSockPtr sock) : sock_(std::move(sock)) {}
  NlSockPtr sock_;
};

}  // namespace emp::sys
