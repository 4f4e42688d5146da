// tun devices for the TunTap router: creating or attaching to a device (optionally
// multi-queue, with virtio-net headers and offloads) and asking an fd what it is.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

// The router and every device it reads carry this virtio-net header size (the 12-byte
// mergeable-buffers layout): the IP header then starts 4-byte aligned.
inline constexpr size_t kTunVnetHeaderSize = 12;

struct TunOptions {
  std::string name;
  int queues = 1;
  bool vnet_hdr = true;
  int mtu = 0;  // 0: leave the kernel's default
};

// Creates (or attaches to) tun device `name` in the caller's network namespace:
// IFF_TUN|IFF_NO_PI, IFF_MULTI_QUEUE when queues > 1, and with vnet_hdr IFF_VNET_HDR +
// TUNSETVNETHDRSZ(kTunVnetHeaderSize) + TUNSETOFFLOAD(csum, TSO4/6, USO when the kernel
// has it). One fd per queue, close-on-exec and non-blocking.
Result<std::vector<UniqueFd>> open_tun(const TunOptions& options);

// Sets IFF_UP on `name` in the caller's network namespace (addresses are not ours).
Result<void> set_link_up(const std::string& name);

// What a tun fd handed to us is: its device name and whether it carries vnet headers
// (and of which size).
struct TunInfo {
  std::string name;
  bool vnet_hdr = false;
  int vnet_hdr_size = 0;
  bool multi_queue = false;
};
Result<TunInfo> tun_info(int fd);

}  // namespace emp::sys
