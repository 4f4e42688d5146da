#include "sys/netlink.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <sys/socket.h>

namespace emp::sys {
namespace {

struct LinkDeleter {
  void operator()(rtnl_link* l) const { ::rtnl_link_put(l); }
};
struct NlAddrDeleter {
  void operator()(nl_addr* a) const { ::nl_addr_put(a); }
};
struct RtnlAddrDeleter {
  void operator()(rtnl_addr* a) const { ::rtnl_addr_put(a); }
};
struct RouteDeleter {
  void operator()(rtnl_route* r) const { ::rtnl_route_put(r); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrDeleter>;
using RtnlAddrPtr = std::unique_ptr<rtnl_addr, RtnlAddrDeleter>;
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;

// libnl returns negative NLE_* codes; its text is the reason.
Unexpected nl_fail(const std::string& what, int err) {
  return fail(what + ": " + ::nl_geterror(err < 0 ? -err : err));
}

Result<LinkPtr> get_link(nl_sock* sk, const std::string& name) {
  rtnl_link* link = nullptr;
  const int err = ::rtnl_link_get_kernel(sk, 0, name.c_str(), &link);
  if (err < 0) return nl_fail("find link '" + name + "'", err);
  return LinkPtr(link);
}

Result<NlAddrPtr> build_addr(int family, std::span<const uint8_t> bytes, int prefix_length,
                             const std::string& what) {
  const size_t want = family == AF_INET ? 4 : 16;
  if ((family != AF_INET && family != AF_INET6) || bytes.size() != want)
    return fail(what + ": bad address family or length");
  NlAddrPtr addr(::nl_addr_build(family, bytes.data(), bytes.size()));
  if (!addr) return fail(what + ": out of memory", ENOMEM);
  ::nl_addr_set_prefixlen(addr.get(), prefix_length);
  return addr;
}

std::string family_text(int family) { return family == AF_INET ? "IPv4" : "IPv6"; }

}  // namespace

void NlSockDeleter::operator()(nl_sock* s) const { ::nl_socket_free(s); }

Result<RouteSocket> RouteSocket::open() {
  NlSockPtr sk(::nl_socket_alloc());
  if (!sk) return fail("open netlink socket: out of memory", ENOMEM);
  const int err = ::nl_connect(sk.get(), NETLINK_ROUTE);
  if (err < 0) return nl_fail("open netlink socket", err);
  // libnl before 3.2.26 opened its socket without SOCK_CLOEXEC; hooks and workers must
  // never inherit a route socket, whichever libnl we run on.
  const int fd = ::nl_socket_get_fd(sk.get());
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) return fail_errno("set close-on-exec on netlink socket");
  return RouteSocket(std::move(sk));
}

Result<int> RouteSocket::link_index(const std::string& link) {
  EMP_TRY(auto l, get_link(sock_.get(), link));
  return ::rtnl_link_get_ifindex(l.get());
}

Result<void> RouteSocket::set_link_up(const std::string& link) {
  EMP_TRY(auto orig, get_link(sock_.get(), link));
  LinkPtr change(::rtnl_link_alloc());
  if (!change) return fail("set link '" + link + "' up: out of memory", ENOMEM);
  ::rtnl_link_set_flags(change.get(), IFF_UP);
  const int err = ::rtnl_link_change(sock_.get(), orig.get(), change.get(), 0);
  if (err < 0) return nl_fail("set link '" + link + "' up", err);
  return ok();
}

Result<void> RouteSocket::set_mtu(const std::string& link, uint32_t mtu) {
  EMP_TRY(auto orig, get_link(sock_.get(), link));
  LinkPtr change(::rtnl_link_alloc());
  const std::string what = "set mtu " + std::to_string(mtu) + " on link '" + link + "'";
  if (!change) return fail(what + ": out of memory", ENOMEM);
  ::rtnl_link_set_mtu(change.get(), mtu);
  const int err = ::rtnl_link_change(sock_.get(), orig.get(), change.get(), 0);
  if (err < 0) return nl_fail(what, err);
  return ok();
}

Result<void> RouteSocket::add_address(const std::string& link, int family,
                                      std::span<const uint8_t> address, int prefix_length,
                                      bool no_dad) {
  const std::string what = "add " + family_text(family) + " address to link '" + link + "'";
  EMP_TRY(const int index, link_index(link));
  EMP_TRY(auto local, build_addr(family, address, prefix_length, what));
  RtnlAddrPtr a(::rtnl_addr_alloc());
  if (!a) return fail(what + ": out of memory", ENOMEM);
  ::rtnl_addr_set_ifindex(a.get(), index);
  ::rtnl_addr_set_family(a.get(), family);
  int err = ::rtnl_addr_set_local(a.get(), local.get());
  if (err < 0) return nl_fail(what, err);
  ::rtnl_addr_set_prefixlen(a.get(), prefix_length);
  if (no_dad) ::rtnl_addr_set_flags(a.get(), IFA_F_NODAD);
  err = ::rtnl_addr_add(sock_.get(), a.get(), NLM_F_EXCL);
  if (err < 0) return nl_fail(what, err);
  return ok();
}

Result<void> RouteSocket::add_default_route(const std::string& link, int family,
                                            std::span<const uint8_t> gateway, bool onlink) {
  const std::string what = "add " + family_text(family) + " default route on link '" + link + "'";
  EMP_TRY(const int index, link_index(link));
  EMP_TRY(auto gw, build_addr(family, gateway, family == AF_INET ? 32 : 128, what));
  const uint8_t zeros[16] = {};
  EMP_TRY(auto dst, build_addr(family, std::span<const uint8_t>(zeros, family == AF_INET ? 4 : 16),
                               0, what));
  RoutePtr route(::rtnl_route_alloc());
  rtnl_nexthop* nh = ::rtnl_route_nh_alloc();
  if (!route || !nh) {
    if (nh) ::rtnl_route_nh_free(nh);
    return fail(what + ": out of memory", ENOMEM);
  }
  ::rtnl_route_set_family(route.get(), static_cast<uint8_t>(family));
  ::rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  ::rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  ::rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
  ::rtnl_route_set_type(route.get(), RTN_UNICAST);
  int err = ::rtnl_route_set_dst(route.get(), dst.get());
  if (err < 0) {
    ::rtnl_route_nh_free(nh);
    return nl_fail(what, err);
  }
  ::rtnl_route_nh_set_ifindex(nh, index);
  ::rtnl_route_nh_set_gateway(nh, gw.get());
  if (onlink) ::rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
  ::rtnl_route_add_nexthop(route.get(), nh);  // the route owns nh from here
  err = ::rtnl_route_add(sock_.get(), route.get(), NLM_F_EXCL);
  if (err < 0) return nl_fail(what, err);
  return ok();
}

}  // namespace emp::sys
