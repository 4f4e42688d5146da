#include "logs/ring.h"

#include <utility>

namespace emp::logs {

Ring::Ring(size_t capacity) : slots_(capacity) {}

void Ring::push(const Record& r) {
  push(Record(r));
}

void Ring::push(Record&& r) {
  ++total_;
  if (slots_.empty()) return;
  slots_[head_] = std::move(r);
  head_ = (head_ + 1) % slots_.size();
  if (size_ < slots_.size()) ++size_;
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
