// Unix-domain sockets: listeners, clients, socketpairs, fd passing (SCM_RIGHTS) and
// peer credentials. All fds are created close-on-exec.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

struct SocketPair {
  UniqueFd first;
  UniqueFd second;
};

// type: SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM; flags such as SOCK_NONBLOCK may be or-ed in.
Result<SocketPair> socket_pair(int type);
// Binds and listens on `path`, replacing a stale socket file; `mode` applied to the file.
Result<UniqueFd> listen_unix(const std::string& path, int type, unsigned mode, int backlog = 128);
Result<UniqueFd> connect_unix(const std::string& path, int type);
// accept4 with SOCK_CLOEXEC|SOCK_NONBLOCK; an empty fd on EAGAIN.
Result<UniqueFd> accept_nonblocking(int listener);

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};
Result<PeerCred> peer_cred(int fd);

// One message with optional fds attached. For SOCK_SEQPACKET a message is a record.
Result<void> send_with_fds(int fd, std::string_view data, const std::vector<int>& fds);

struct Received {
  std::string data;           // empty with eof=true when the peer closed
  std::vector<UniqueFd> fds;  // fds that came with the message (MSG_CMSG_CLOEXEC)
  bool eof = false;
  bool would_block = false;
};
Result<Received> receive_with_fds(int fd, size_t max_bytes = 65536);

Result<void> set_nonblocking(int fd, bool on);

}  // namespace emp::sys
