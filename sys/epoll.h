// An epoll instance. Callers register fds with a 64-bit token they choose and read
// ready events back in batches.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

class Epoll {
 public:
  static Result<Epoll> create();

  Result<void> add(int fd, uint32_t events, uint64_t token);
  Result<void> modify(int fd, uint32_t events, uint64_t token);
  // Removing an fd that is already closed is not an error (the kernel dropped it).
  void remove(int fd);
  // Waits up to `timeout` (negative: forever); EINTR returns an empty batch.
  Result<std::vector<epoll_event>> wait(std::chrono::milliseconds timeout, int max_events = 64);
  int fd() const { return fd_.get(); }

 private:
  explicit Epoll(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace emp::sys
