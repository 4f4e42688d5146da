// The master's end of the readiness protocol: one datagram socket per vassal, in the
// abstract unix namespace of the vassal's network namespace. Each datagram comes with the
// sender's pid from SCM_CREDENTIALS, which the kernel checks and translates into the
// master's pid namespace, so a worker cannot speak for another.
//
// Abstract rather than a file inside the vassal's root: it needs no writable directory in
// that root (which may be read-only, or the host's own), no permissions matching the
// dropped uid, and leaves nothing behind.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::vassal {

struct NotifyDatagram {
  pid_t pid = 0;  // 0: no credentials came with it
  std::string text;
};

class NotifySocket {
 public:
  // Binds "@emperor/VASSAL/RANDOM"; non-blocking, close-on-exec.
  static Result<NotifySocket> create(const std::string& vassal);

  // What workers get as NOTIFY_SOCKET: "@emperor/web/3f9a0c1d".
  const std::string& address() const { return address_; }
  int fd() const { return fd_.get(); }
  // nullopt when nothing is queued. Any fds sent along are closed.
  Result<std::optional<NotifyDatagram>> receive() const;

 private:
  NotifySocket(sys::UniqueFd fd, std::string address)
      : fd_(std::move(fd)), address_(std::move(address)) {}
  sys::UniqueFd fd_;
  std::string address_;
};

}  // namespace emp::vassal
