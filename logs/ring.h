// The last lines of one vassal, kept in memory for `emperor logs`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "logs/record.h"

namespace emp::logs {

// Pure. Holds at most `capacity` records; a new one pushes the oldest out.
class Ring {
 public:
  using time_point = std::chrono::system_clock::time_point;

  explicit Ring(size_t capacity);

  void push(const Record& r);
  void push(Record&& r);

  // The last n records (fewer when the ring holds fewer) among those stamped at or after
  // `since`, oldest first.
  std::vector<Record> tail(size_t n, std::optional<time_point> since = std::nullopt) const;

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // Records pushed since the ring was made, including the ones pushed out: a follower that
  // remembers it can ask for what came after with tail(total() - seen).
  uint64_t total() const { return total_; }

 private:
  const Record& at(size_t i) const;  // 0 = oldest held

  // Grows as records come (up to capacity_), then wraps: an empire of quiet vassals does
  // not pay for rings it never fills (500 vassals x 1000 empty slots were ~50 MB).
  std::vector<Record> slots_;
  size_t capacity_;
  size_t head_ = 0;  // where the next record goes
  size_t size_ = 0;
  uint64_t total_ = 0;
};

}  // namespace emp::logs
