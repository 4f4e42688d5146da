#include "sys/timer_fd.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdint>

namespace emp::sys {

Result<TimerFd> TimerFd::create() {
  UniqueFd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!fd) return fail_errno("timerfd_create");
  return TimerFd(std::move(fd));
}

Result<void> TimerFd::arm(std::chrono::nanoseconds delay) {
  // A zero it_value disarms, so "now" is one nanosecond.
  const long long ns = delay.count() <= 0 ? 1 : delay.count();
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (::timerfd_settime(fd_.get(), 0, &spec, nullptr) != 0) return fail_errno("timerfd_settime");
  return ok();
}

Result<void> TimerFd::arm_at(std::chrono::steady_clock::time_point when) {
  return arm(when - std::chrono::steady_clock::now());
}

Result<void> TimerFd::disarm() {
  itimerspec spec{};
  if (::timerfd_settime(fd_.get(), 0, &spec, nullptr) != 0) return fail_errno("timerfd_settime");
  return ok();
}

void TimerFd::drain() {
  uint64_t expirations;
  while (::read(fd_.get(), &expirations, sizeof expirations) > 0) {
  }
}

}  // namespace emp::sys
