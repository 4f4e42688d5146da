#include "logs/ring.h"

#include <utility>

namespace emp::logs {

Ring::Ring(size_t capacity) : capacity_(capacity) {}

void Ring::push(const Record& r) {
  push(Record(r));
}

void Ring::push(Record&& r) {
  ++total_;
  if (capacity_ == 0) return;
  if (slots_.size() < capacity_) {  // still growing: head_ is the end
    slots_.push_back(std::move(r));
    head_ = slots_.size() % capacity_;
    ++size_;
    return;
  }
  slots_[head_] = std::move(r);
  head_ = (head_ + 1) % capacity_;
}

const Record& Ring::at(size_t i) const {
  return slots_[(head_ + slots_.size() - size_ + i) % slots_.size()];
}

std::vector<Record> Ring::tail(size_t n, std::optional<time_point> since) const {
  // Walk back from the newest: records are usually in time order, but a clock step must not
  // hide newer lines, so every held record is checked rather than stopping at the first old one.
  std::vector<Record> out;
  for (size_t i = size_; i > 0 && out.size() < n; --i) {
    const Record& r = at(i - 1);
    if (!since || r.time >= *since) out.push_back(r);
  }
  return {std::make_move_iterator(out.rbegin()), std::make_move_iterator(out.rend())};
}

}  // namespace emp::logs
