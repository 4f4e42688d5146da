#include "sys/inotify.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace emp::sys {

Result<Inotify> Inotify::create() {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return fail_errno("inotify_init1");
  return Inotify(std::move(fd));
}

Result<int> Inotify::add_watch(const std::string& path, uint32_t mask) {
  const int wd = ::inotify_add_watch(fd_.get(), path.c_str(), mask);
  if (wd < 0) return fail_errno("inotify_add_watch '" + path + "'");
  return wd;
}

void Inotify::remove_watch(int wd) { ::inotify_rm_watch(fd_.get(), wd); }

Result<std::vector<InotifyEvent>> Inotify::read_events() {
  std::vector<InotifyEvent> out;
  alignas(inotify_event) char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return out;
      return fail_errno("read inotify");
    }
    for (ssize_t off = 0; off < n;) {
      inotify_event ev;
      std::memcpy(&ev, buf + off, sizeof ev);
      InotifyEvent e{ev.wd, ev.mask, {}};
      if (ev.len > 0) e.name = std::string(buf + off + sizeof ev);  // NUL-padded
      out.push_back(std::move(e));
      off += static_cast<ssize_t>(sizeof ev + ev.len);
    }
  }
}

}  // namespace emp::sys
