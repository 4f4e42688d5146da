// Packet and byte counters with drops by reason, shared by router threads (relaxed
// atomics: they are statistics, not synchronisation).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace emp::tuntap {

enum class Drop : uint8_t {
  NoRoute,        // no peer owns the destination
  Spoofed,        // source is not one of the sender's addresses
  FirewallOut,    // denied by an out chain (router's or the sender's own)
  FirewallIn,     // denied by an in chain (router's or the receiver's own)
  LinkScope,      // IPv6 RS/MLD/ND, link-local, multicast, broadcast: never forwarded
  Malformed,      // not a valid IP packet
  QueueFull,      // the receiver's bounded queue was full
  DeviceError,    // a device refused the write
  Segmentation,   // a super-packet that could not be cut for a peer without offloads
  RulesBlock,     // a uWSGI peer's self-sent rules (ignored: the router's rules apply)
  Count_,
};
inline constexpr size_t kDropReasons = static_cast<size_t>(Drop::Count_);

std::string_view drop_name(Drop reason);

struct Counters {
  std::atomic<uint64_t> rx_packets{0}, rx_bytes{0}, tx_packets{0}, tx_bytes{0};
  std::array<std::atomic<uint64_t>, kDropReasons> drops{};

  void received(size_t bytes) {
    rx_packets.fetch_add(1, std::memory_order_relaxed);
    rx_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
  void sent(size_t bytes) {
    tx_packets.fetch_add(1, std::memory_order_relaxed);
    tx_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
  void drop(Drop reason) { drops[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t dropped(Drop reason) const {
    return drops[static_cast<size_t>(reason)].load(std::memory_order_relaxed);
  }

  // rx/tx figures and "drops": {reason: count} for the reasons seen, into `out`.
  void to_json(nlohmann::json& out) const;
};

}  // namespace emp::tuntap
