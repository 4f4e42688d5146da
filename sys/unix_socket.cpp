#include "sys/unix_socket.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace emp::sys {
namespace {

Result<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return fail("unix socket path '" + path + "' is too long (" + std::to_string(path.size()) +
                " bytes, limit " + std::to_string(sizeof addr.sun_path - 1) + ")");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

}  // namespace

Result<SocketPair> socket_pair(int type) {
  int fds[2];
  if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) != 0) return fail_errno("socketpair");
  return SocketPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<UniqueFd> listen_unix(const std::string& path, int type, unsigned mode, int backlog) {
  EMP_TRY(const sockaddr_un addr, address_of(path));
  UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("socket for '" + path + "'");
  // A socket file left by a dead process would make bind fail; a live listener would
  // answer connect, and is not ours to steal.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return fail("bind '" + path + "': exists and is not a socket", EEXIST);
    UniqueFd probe(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    if (probe && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
      return fail("bind '" + path + "': another process is listening there", EADDRINUSE);
    ::unlink(path.c_str());
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return fail_errno("bind '" + path + "'");
  if (::chmod(path.c_str(), mode) != 0) return fail_errno("chmod '" + path + "'");
  if (type != SOCK_DGRAM && ::listen(fd.get(), backlog) != 0) return fail_errno("listen '" + path + "'");
  return fd;
}

Result<UniqueFd> connect_unix(const std::string& path, int type) {
  EMP_TRY(const sockaddr_un addr, address_of(path));
  UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("socket for '" + path + "'");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return fail_errno("connect '" + path + "'");
  return fd;
}

Result<UniqueFd> accept_nonblocking(int listener) {
  const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return UniqueFd();
    return fail_errno("accept");
  }
  return UniqueFd(fd);
}

Result<PeerCred> peer_cred(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return fail_errno("SO_PEERCRED");
  return PeerCred{cred.pid, cred.uid, cred.gid};
}

Result<void> send_with_fds(int fd, std::string_view data, const std::vector<int>& fds) {
  iovec iov{const_cast<char*>(data.data()), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.resize(CMSG_SPACE(sizeof(int) * fds.size()));
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n >= 0) {
      if (static_cast<size_t>(n) != data.size()) return fail("sendmsg: short write", EMSGSIZE);
      return ok();
    }
    if (errno != EINTR) return fail_errno("sendmsg");
  }
}

Result<Received> receive_with_fds(int fd, size_t max_bytes) {
  Received out;
  out.data.resize(max_bytes);
  iovec iov{out.data.data(), max_bytes};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 16)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      out.data.clear();
      out.would_block = true;
      return out;
    }
    return fail_errno("recvmsg");
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      out.fds.emplace_back(received);
    }
  }
  if (msg.msg_flags & MSG_CTRUNC) return fail("recvmsg: control data truncated (too many fds)");
  if (msg.msg_flags & MSG_TRUNC) return fail("recvmsg: message larger than " + std::to_string(max_bytes) + " bytes", EMSGSIZE);
  out.data.resize(static_cast<size_t>(n));
  out.eof = n == 0;
  return out;
}

Result<void> set_nonblocking(int fd, bool on) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return fail_errno("fcntl F_GETFL");
  if (::fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) != 0)
    return fail_errno("fcntl F_SETFL");
  return ok();
}

}  // namespace emp::sys
