#include "sys/tun.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace emp::sys {
namespace {

// Kernels before 6.2 lack UDP segmentation offload on tun; their headers may too.
constexpr unsigned kTunFUso4 = 0x20;
constexpr unsigned kTunFUso6 = 0x40;

Result<UniqueFd> open_queue(const TunOptions& o) {
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return fail_errno("open '/dev/net/tun'");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (o.queues > 1) ifr.ifr_flags |= IFF_MULTI_QUEUE;
  if (o.vnet_hdr) ifr.ifr_flags |= IFF_VNET_HDR;
  std::memcpy(ifr.ifr_name, o.name.data(), o.name.size());
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) return fail_errno("TUNSETIFF");
  if (o.vnet_hdr) {
    int size = static_cast<int>(kTunVnetHeaderSize);
    if (::ioctl(fd.get(), TUNSETVNETHDRSZ, &size) != 0) return fail_errno("TUNSETVNETHDRSZ");
    const unsigned base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
    if (::ioctl(fd.get(), TUNSETOFFLOAD, base | kTunFUso4 | kTunFUso6) != 0 &&
        ::ioctl(fd.get(), TUNSETOFFLOAD, base) != 0)
      return fail_errno("TUNSETOFFLOAD");
  }
  return fd;
}

Result<UniqueFd> control_socket() {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) s.reset(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) return fail_errno("socket for interface ioctls");
  return s;
}

}  // namespace

Result<std::vector<UniqueFd>> open_tun(const TunOptions& o) {
  const std::string what = "open tun '" + o.name + "'";
  if (o.name.empty() || o.name.size() >= IFNAMSIZ)
    return fail(what + ": the name must have 1.." + std::to_string(IFNAMSIZ - 1) + " characters");
  if (o.queues < 1 || o.queues > 256)
    return fail(what + ": queues must be 1..256, not " + std::to_string(o.queues));
  std::vector<UniqueFd> fds;
  for (int i = 0; i < o.queues; ++i) {
    auto q = open_queue(o);
    if (!q) return forward_error(std::move(q).context(what));
    fds.push_back(std::move(*q));
  }
  if (o.mtu > 0) {
    EMP_TRY(UniqueFd s, control_socket().context(what));
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, o.name.data(), o.name.size());
    ifr.ifr_mtu = o.mtu;
    if (::ioctl(s.get(), SIOCSIFMTU, &ifr) != 0) return fail_errno(what + ": SIOCSIFMTU");
  }
  return fds;
}

Result<void> set_link_up(const std::string& name) {
  const std::string what = "set link up '" + name + "'";
  if (name.empty() || name.size() >= IFNAMSIZ) return fail(what + ": invalid interface name");
  EMP_TRY(UniqueFd s, control_socket().context(what));
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return fail_errno(what + ": SIOCGIFFLAGS");
  if (ifr.ifr_flags & IFF_UP) return ok();
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) return fail_errno(what + ": SIOCSIFFLAGS");
  return ok();
}

Result<TunInfo> tun_info(int fd) {
  ifreq ifr{};
  if (::ioctl(fd, TUNGETIFF, &ifr) != 0) return fail_errno("TUNGETIFF on fd " + std::to_string(fd));
  TunInfo info;
  info.name.assign(ifr.ifr_name, ::strnlen(ifr.ifr_name, IFNAMSIZ));
  if (!(ifr.ifr_flags & IFF_TUN) || !(ifr.ifr_flags & IFF_NO_PI))
    return fail("tun '" + info.name + "': not an IFF_TUN|IFF_NO_PI device");
  info.vnet_hdr = (ifr.ifr_flags & IFF_VNET_HDR) != 0;
  info.multi_queue = (ifr.ifr_flags & IFF_MULTI_QUEUE) != 0;
  if (info.vnet_hdr) {
    int size = 0;
    if (::ioctl(fd, TUNGETVNETHDRSZ, &size) != 0)
      return fail_errno("tun '" + info.name + "': TUNGETVNETHDRSZ");
    info.vnet_hdr_size = size;
  }
  return info;
}

}  // namespace emp::sys
