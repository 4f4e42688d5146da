#include "tuntap/counters.h"

namespace emp::tuntap {

std::string_view drop_name(Drop reason) {
  switch (reason) {
    case Drop::NoRoute: return "no_route";
    case Drop::Spoofed: return "spoofed";
    case Drop::FirewallOut: return "firewall_out";
    case Drop::FirewallIn: return "firewall_in";
    case Drop::LinkScope: return "link_scope";
    case Drop::Malformed: return "malformed";
    case Drop::QueueFull: return "queue_full";
    case Drop::DeviceError: return "device_error";
    case Drop::Segmentation: return "segmentation";
    case Drop::RulesBlock: return "rules_block";
    case Drop::Count_: break;
  }
  return "unknown";
}

void Counters::to_json(nlohmann::json& out) const {
  out["rx_packets"] = rx_packets.load(std::memory_order_relaxed);
  out["rx_bytes"] = rx_bytes.load(std::memory_order_relaxed);
  out["tx_packets"] = tx_packets.load(std::memory_order_relaxed);
  out["tx_bytes"] = tx_bytes.load(std::memory_order_relaxed);
  auto drops_json = nlohmann::json::object();
  for (size_t i = 0; i < kDropReasons; ++i) {
    const uint64_t n = drops[i].load(std::memory_order_relaxed);
    if (n != 0) drops_json[std::string(drop_name(static_cast<Drop>(i)))] = n;
  }
  out["drops"] = std::move(drops_json);
}

}  // namespace emp::tuntap
