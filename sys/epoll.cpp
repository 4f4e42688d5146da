#include "sys/epoll.h"

#include <cerrno>

namespace emp::sys {

Result<Epoll> Epoll::create() {
  UniqueFd fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!fd) return fail_errno("epoll_create1");
  return Epoll(std::move(fd));
}

Result<void> Epoll::add(int fd, uint32_t events, uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
    return fail_errno("epoll_ctl add fd " + std::to_string(fd));
  return ok();
}

Result<void> Epoll::modify(int fd, uint32_t events, uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(fd_.get(), EPOLL_CTL_MOD, fd, &ev) != 0)
    return fail_errno("epoll_ctl modify fd " + std::to_string(fd));
  return ok();
}

void Epoll::remove(int fd) { ::epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr); }

Result<std::vector<epoll_event>> Epoll::wait(std::chrono::milliseconds timeout, int max_events) {
  std::vector<epoll_event> events(static_cast<size_t>(max_events));
  const int n = ::epoll_wait(fd_.get(), events.data(), max_events,
                             timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
  if (n < 0) {
    if (errno == EINTR) return std::vector<epoll_event>{};
    return fail_errno("epoll_wait");
  }
  events.resize(static_cast<size_t>(n));
  return events;
}

}  // namespace emp::sys
