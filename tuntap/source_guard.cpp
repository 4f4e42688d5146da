#include "tuntap/source_guard.h"

#include <algorithm>

namespace emp::tuntap {

SourceGuard::SourceGuard(std::vector<config::IpAddress> declared) : declared_(std::move(declared)) {}

SourceGuard::Verdict SourceGuard::check(const config::IpAddress& source) const {
  if (!declared_.empty()) {
    // A peer declares one or two addresses: a scan of its own short list, not a table.
    return std::find(declared_.begin(), declared_.end(), source) != declared_.end()
               ? Verdict::Allowed
               : Verdict::Spoofed;
  }
  const Learned& s = slot(source.family);
  if (!s.set.load(std::memory_order_acquire)) return Verdict::Learn;
  return s.address == source ? Verdict::Allowed : Verdict::Spoofed;
}

bool SourceGuard::learn(const config::IpAddress& source) {
  if (!declared_.empty()) return false;
  Learned& s = slot(source.family);
  if (s.set.load(std::memory_order_acquire)) return false;
  s.address = source;
  s.set.store(true, std::memory_order_release);
  return true;
}

std::vector<config::IpAddress> SourceGuard::addresses() const {
  if (!declared_.empty()) return declared_;
  std::vector<config::IpAddress> out;
  for (const Learned* s : {&v4_, &v6_})
    if (s->set.load(std::memory_order_acquire)) out.push_back(s->address);
  return out;
}

}  // namespace emp::tuntap
