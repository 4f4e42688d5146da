// The emperor <-> vassal channel over a SOCK_SEQPACKET socket: typed messages (protocol.h),
// optionally carrying fds.
#pragma once

#include <optional>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"
#include "vassal/protocol.h"

namespace emp::vassal {

struct Incoming {
  Message message;
  std::vector<sys::UniqueFd> fds;
};

class Channel {
 public:
  Channel() = default;
  explicit Channel(sys::UniqueFd fd) : fd_(std::move(fd)) {}

  Result<void> send(const Message& m, const std::vector<int>& fds = {}) const;
  // nullopt: nothing to read now (non-blocking socket). An error with code 0 and message
  // "channel closed" when the peer went away.
  Result<std::optional<Incoming>> receive() const;
  int fd() const { return fd_.get(); }
  bool open() const { return fd_.valid(); }
  void close() { fd_.reset(); }

 private:
  sys::UniqueFd fd_;
};

}  // namespace emp::vassal
