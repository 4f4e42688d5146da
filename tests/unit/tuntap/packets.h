// Builders for test packets: valid IPv4/IPv6 headers with TCP, UDP or ICMP behind them,
// which tests then break on purpose.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/ip_address.h"

namespace emp::tuntap::test {

using Bytes = std::vector<uint8_t>;

struct Spec {
  std::string src = "10.0.0.2";
  std::string dst = "10.0.0.1";
  uint8_t protocol = 6;
  uint16_t sport = 40000;
  uint16_t dport = 80;
  size_t payload = 0;
  uint8_t tcp_flags = 0x18;  // PSH|ACK
  uint32_t seq = 1000;
  uint8_t icmp_type = 8;
  uint16_t ip_id = 7;
  bool valid_l4_checksum = true;
};

Bytes build(const Spec& s);
config::IpAddress addr(const std::string& text);
// True when the transport checksum of a whole packet verifies.
bool l4_checksum_ok(const Bytes& packet);
bool ipv4_header_checksum_ok(const Bytes& packet);

}  // namespace emp::tuntap::test
