#include "sys/fd_slots.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace emp::sys {

FdSlots* FdSlots::acquire(std::unique_lock<std::mutex>& lock) {
  static FdSlots slots;
  lock = std::unique_lock(slots.mu_);
  if (slots.state_ == State::Unreserved) slots.reserve();
  return slots.state_ == State::Ready ? &slots : nullptr;
}

void FdSlots::reserve() {
  state_ = State::Off;
  slots_.fill(-1);
  placeholder_ = ::memfd_create("emperor-fd-slot", MFD_CLOEXEC);
  if (placeholder_ < 0) return;
  struct stat st {};
  if (::fstat(placeholder_, &st) != 0) return turn_off();
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  // The lowest free numbers: the fewer fds below keep_below, the less a child copies.
  for (int& s : slots_) {
    s = ::fcntl(placeholder_, F_DUPFD_CLOEXEC, 0);
    if (s < 0) return turn_off();
  }
  keep_below_ = static_cast<unsigned>(*std::max_element(slots_.begin(), slots_.end())) + 1;
  state_ = State::Ready;
}

bool FdSlots::fill(size_t i, int fd) {
  if (state_ != State::Ready) return false;
  struct stat st {};
  if (::fstat(slots_[i], &st) != 0 || st.st_dev != dev_ || st.st_ino != ino_) {
    turn_off();
    return false;
  }
  if (::dup3(fd, slots_[i], O_CLOEXEC) < 0) return false;
  filled_[i] = true;
  return true;
}

void FdSlots::clear_all() {
  for (size_t i = 0; i < kCount; ++i) {
    if (!filled_[i]) continue;
    (void)::dup3(placeholder_, slots_[i], O_CLOEXEC);
    filled_[i] = false;
  }
}

void FdSlots::turn_off() {
  // A slot neither filled by us nor holding the placeholder belongs to someone else now.
  for (size_t i = 0; i < kCount; ++i) {
    struct stat st {};
    const bool ours = filled_[i] || (slots_[i] >= 0 && ::fstat(slots_[i], &st) == 0 &&
                                     st.st_dev == dev_ && st.st_ino == ino_);
    if (ours) ::close(slots_[i]);
    slots_[i] = -1;
    filled_[i] = false;
  }
  if (placeholder_ >= 0) ::close(placeholder_);
  placeholder_ = -1;
  state_ = State::Off;
}

}  // namespace emp::sys
