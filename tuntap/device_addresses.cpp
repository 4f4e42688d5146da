#include "tuntap/device_addresses.h"

#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bit>
#include <cstring>
#include <memory>

namespace emp::tuntap {
namespace {

struct IfaddrsFree {
  void operator()(ifaddrs* p) const { ::freeifaddrs(p); }
};

int mask_length(const uint8_t* mask, size_t bytes) {
  int n = 0;
  for (size_t i = 0; i < bytes; ++i) n += std::popcount(static_cast<unsigned>(mask[i]));
  return n;
}

}  // namespace

Result<std::vector<config::IpPrefix>> read_device_addresses(const std::string& device) {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return fail_errno("read the addresses of '" + device + "': getifaddrs");
  const std::unique_ptr<ifaddrs, IfaddrsFree> list(raw);
  std::vector<config::IpPrefix> out;
  for (const ifaddrs* i = raw; i; i = i->ifa_next) {
    if (!i->ifa_addr || !i->ifa_name || device != i->ifa_name) continue;
    config::IpPrefix p;
    if (i->ifa_addr->sa_family == AF_INET) {
      sockaddr_in a;
      std::memcpy(&a, i->ifa_addr, sizeof a);
      p.address = config::IpAddress::v4(reinterpret_cast<const uint8_t*>(&a.sin_addr));
      p.length = 32;
      if (i->ifa_netmask) {
        sockaddr_in m;
        std::memcpy(&m, i->ifa_netmask, sizeof m);
        p.length = mask_length(reinterpret_cast<const uint8_t*>(&m.sin_addr), 4);
      }
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 a;
      std::memcpy(&a, i->ifa_addr, sizeof a);
      p.address = config::IpAddress::v6(a.sin6_addr.s6_addr);
      p.length = 128;
      if (i->ifa_netmask) {
        sockaddr_in6 m;
        std::memcpy(&m, i->ifa_netmask, sizeof m);
        p.length = mask_length(m.sin6_addr.s6_addr, 16);
      }
    } else {
      continue;
    }
    if (p.address.is_link_local()) continue;
    out.push_back(p);
  }
  return out;
}

Result<sys::UniqueFd> open_address_watch() {
  sys::UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  if (!fd) return fail_errno("watch addresses: socket(AF_NETLINK)");
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    return fail_errno("watch addresses: bind netlink groups");
  return fd;
}

void drain_address_watch(int fd) {
  char buf[8192];
  for (int i = 0; i < 256; ++i) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == ENOBUFS) continue;
    if (n <= 0) return;
  }
}

}  // namespace emp::tuntap
