// inotify: watches and event decoding.
#pragma once

#include <sys/inotify.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

struct InotifyEvent {
  int wd = -1;
  uint32_t mask = 0;
  std::string name;  // empty for events about the watched directory itself
};

class Inotify {
 public:
  static Result<Inotify> create();  // non-blocking, close-on-exec
  Result<int> add_watch(const std::string& path, uint32_t mask);
  void remove_watch(int wd);
  // Everything queued now; an empty list when nothing is.
  Result<std::vector<InotifyEvent>> read_events();
  int fd() const { return fd_.get(); }

 private:
  explicit Inotify(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace emp::sys
