// Low fd numbers that Child::spawn keeps for the fds it hands to a child. A child started
// with CLONE_FILES shares our fd table until it calls close_range(keep_below, ~0,
// CLOSE_RANGE_UNSHARE), which gives it a table of its own holding only the fds below
// keep_below: the slots, where spawn has put what the child gets. Without this, every
// spawn copies the whole table (6 fds per vassal in the emperor: 3,000 with 500 vassals)
// and the child's exec closes each copy again; that work grew with every vassal started.
//
// Between spawns each slot holds a duplicate of a placeholder memfd, so no other open()
// can take its number; a slot found holding anything else (closed and reused by code that
// closed an fd it did not own) turns the slots off and spawn copies the table as before.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <mutex>

namespace emp::sys {

class FdSlots {
 public:
  static constexpr size_t kCount = 8;

  // The process's slots with their lock held by `lock` (spawns from several threads take
  // turns), reserved on first use; nullptr when they are off.
  static FdSlots* acquire(std::unique_lock<std::mutex>& lock);

  // dup3 of `fd` over slot i, close-on-exec: false if that failed, or if the slot no
  // longer held the placeholder (the slots are then off).
  bool fill(size_t i, int fd);
  // The placeholder back into every filled slot.
  void clear_all();
  int slot(size_t i) const { return slots_[i]; }
  // Every slot is below this number: what the child unshares.
  unsigned keep_below() const { return keep_below_; }
  // For good: the kernel refused CLOSE_RANGE_UNSHARE (before Linux 5.9) or a slot was
  // disturbed. Filled slots are closed too.
  void turn_off();

 private:
  FdSlots() = default;
  void reserve();

  enum class State { Unreserved, Ready, Off };
  std::mutex mu_;
  State state_ = State::Unreserved;
  int placeholder_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  std::array<int, kCount> slots_{};
  std::array<bool, kCount> filled_{};
  unsigned keep_below_ = 0;
};

}  // namespace emp::sys
