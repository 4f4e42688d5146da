#include "vassal/channel.h"

#include <sys/socket.h>

#include <cerrno>

#include "sys/unix_socket.h"

namespace emp::vassal {

Result<void> Channel::send(const Message& m, const std::vector<int>& fds) const {
  return sys::send_with_fds(fd_.get(), encode(m), fds).context("channel send");
}

Result<std::optional<Incoming>> Channel::receive() const {
  // Peek at the record's size first: specs can be large, heartbeats are small and frequent.
  char probe;
  ssize_t size;
  do {
    size = ::recv(fd_.get(), &probe, 1, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  } while (size < 0 && errno == EINTR);
  if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::optional<Incoming>{};
  if (size < 0) return fail_errno("channel receive");
  if (static_cast<size_t>(size) > kMaxMessageBytes)
    return fail("channel receive: message of " + std::to_string(size) + " bytes is too large");
  EMP_TRY(auto received, sys::receive_with_fds(fd_.get(), size == 0 ? 1 : static_cast<size_t>(size)));
  if (received.would_block) return std::optional<Incoming>{};
  if (received.eof) return fail("channel closed");
  EMP_TRY(Message m, decode(received.data));
  return std::optional<Incoming>{Incoming{std::move(m), std::move(received.fds)}};
}

}  // namespace emp::vassal
