// The listen queue of the vassal's sockets, as the kernel counts it: connections that
// completed the handshake and wait for a worker's accept(2). TCP listeners answer
// TCP_INFO (tcpi_unacked holds the queue length of a listener); unix listeners do not
// answer any ioctl, so they are asked through sock_diag (NETLINK_SOCK_DIAG, by inode).
#pragma once

#include <cstdint>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"
#include "vassal/listen_sockets.h"

namespace emp::vassal {

class BacklogProbe {
 public:
  // Opens the sock_diag socket when a unix listener needs it; call before the seccomp
  // filter and the privilege drop (both keep an open netlink socket working).
  static Result<BacklogProbe> open(const std::vector<ListenSocket>& sockets);

  // The sum over all sockets.
  Result<uint64_t> queued(const std::vector<ListenSocket>& sockets) const;

 private:
  explicit BacklogProbe(sys::UniqueFd diag) : diag_(std::move(diag)) {}
  Result<uint64_t> unix_queue(const ListenSocket& s) const;
  sys::UniqueFd diag_;
};

}  // namespace emp::vassal
