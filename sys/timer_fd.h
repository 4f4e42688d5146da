// timerfd on CLOCK_MONOTONIC: one-shot deadlines for the event loop.
#pragma once

#include <chrono>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

class TimerFd {
 public:
  static Result<TimerFd> create();
  // Fires once after `delay` (zero or less: at once); replaces any earlier arming.
  Result<void> arm(std::chrono::nanoseconds delay);
  Result<void> arm_at(std::chrono::steady_clock::time_point when);
  Result<void> disarm();
  // Consumes the expiration count so the fd stops being readable.
  void drain();
  int fd() const { return fd_.get(); }

 private:
  explicit TimerFd(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace emp::sys
