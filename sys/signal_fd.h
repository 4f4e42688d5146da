// signalfd: signals read as data in the event loop, blocked for normal delivery.
#pragma once

#include <signal.h>

#include <initializer_list>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

class SignalFd {
 public:
  // Blocks `signals` in the calling thread (threads created later inherit the mask) and
  // returns an fd that reads them.
  static Result<SignalFd> create(std::initializer_list<int> signals);
  // Signals queued now, in order; empty when none.
  Result<std::vector<int>> read_signals();
  int fd() const { return fd_.get(); }

 private:
  explicit SignalFd(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace emp::sys
