#include "sys/signal_fd.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace emp::sys {

Result<SignalFd> SignalFd::create(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return fail("pthread_sigmask: failed");
  UniqueFd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) return fail_errno("signalfd");
  return SignalFd(std::move(fd));
}

Result<std::vector<int>> SignalFd::read_signals() {
  std::vector<int> out;
  signalfd_siginfo info;
  for (;;) {
    const ssize_t n = ::read(fd_.get(), &info, sizeof info);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return out;
      return fail_errno("read signalfd");
    }
    if (n != sizeof info) return out;
    out.push_back(static_cast<int>(info.ssi_signo));
  }
}

}  // namespace emp::sys
