// The vassal's listening sockets (`socket` keys): bound by the master inside the finished
// jail while it is still root (so ports below 1024 work for any uid), kept open by the
// master for its whole life, and handed to every worker on fds 3.. .
//
// All workers share each socket: one accept queue, which the kernel serves wake-one to
// workers blocked in accept(2) (exclusive wait), and which outlives any worker, so a
// worker that dies or is replaced never takes queued connections with it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "config/vassal_spec.h"
#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::vassal {

struct ListenSocket {
  config::SocketAddress address;
  sys::UniqueFd fd;
  std::string bound;  // what the kernel bound: "127.0.0.1:41234" for "127.0.0.1:0"
  bool tcp = false;   // else a unix stream socket
  ino_t inode = 0;    // sock_diag finds a unix socket by inode
};

// chmod-socket and chown-socket, resolved before the jail: names come from the host's
// user databases, as for uid and gid.
struct SocketOwner {
  unsigned mode = 0666;  // systemd's SocketMode default: any local peer may connect
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
};
Result<SocketOwner> resolve_socket_owner(const config::VassalSpec& spec);

// Errors name the address and the reason: "bind '127.0.0.1:80': Permission denied".
Result<ListenSocket> bind_listen_socket(const config::SocketAddress& address,
                                        const SocketOwner& owner);

// The listen(2) backlog we ask for; the kernel caps it at net.core.somaxconn.
inline constexpr int kListenBacklog = 4096;

}  // namespace emp::vassal
