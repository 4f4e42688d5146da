#include "tuntap/source_guard.h"

#include <algorithm>

namespace emp::tuntap {

std::string_view unusable_peer_address(const config::IpAddress& a) {
  if (a.is_unspecified()) return "the unspecified address";
  if (a.is_multicast()) return "a multicast address";
  if (a.is_link_local()) return "a link-local address";
  const auto& b = a.bytes;
  if (a.family == config::IpFamily::V4) {
    if (b[0] == 127) return "a loopback address";
    if (b[0] == 0) return "in 0.0.0.0/8";
    if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return "the broadcast address";
    return {};
  }
  const bool zero10 = std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; });
  if (zero10 && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1)
    return "a loopback address";
  if (zero10 && b[10] == 0xff && b[11] == 0xff) return "an IPv4-mapped address";
  return {};
}

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
