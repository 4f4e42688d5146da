#include "vassal/notify_socket.h"

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

namespace emp::vassal {
namespace {

constexpr size_t kMaxDatagram = 4096;    // systemd's limit too: a notification fits a page
constexpr int kReceiveBuffer = 1 << 20;  // BUSY= at request rate must not block the workers

}  // namespace

Result<NotifySocket> NotifySocket::create(const std::string& vassal) {
  uint32_t random = 0;
  if (::getrandom(&random, sizeof random, GRND_NONBLOCK) != sizeof random)
    random = static_cast<uint32_t>(::getpid()) * 2654435761u;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", random);
  const std::string name = "emperor/" + vassal.substr(0, 80) + "/" + suffix;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());  // sun_path[0] = 0: abstract
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());

  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return fail_errno("socket for notify socket '@" + name + "'");
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0)
    return fail_errno("bind notify socket '@" + name + "'");
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
    return fail_errno("setsockopt SO_PASSCRED '@" + name + "'");
  // FORCE passes net.core.rmem_max while we are root; the plain option is the fallback.
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) !=
      0)
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  return NotifySocket(std::move(fd), "@" + name);
}

Result<std::optional<NotifyDatagram>> NotifySocket::receive() const {
  char data[kMaxDatagram];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * 16)];
  iovec iov{data, sizeof data};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<NotifyDatagram>{};
    return fail_errno("receive on notify socket '" + address_ + "'");
  }
  NotifyDatagram d;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
      ucred cred{};
      std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
      d.pid = cred.pid;
    } else if (c->cmsg_type == SCM_RIGHTS) {
      // FDSTORE= is not ours to keep: the fds came with the message, they go with it.
      const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        sys::UniqueFd drop(fd);
      }
    }
  }
  d.text.assign(data, std::min(static_cast<size_t>(n), sizeof data));
  return std::optional<NotifyDatagram>{std::move(d)};
}

}  // namespace emp::vassal
