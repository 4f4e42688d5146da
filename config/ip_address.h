// IPv4/IPv6 addresses and prefixes as plain values: shared by the config language
// (net-address, firewall rules) and the router's tables.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sys/result.h"

namespace emp::config {

enum class IpFamily : uint8_t { V4 = 4, V6 = 6 };

struct IpAddress {
  IpFamily family = IpFamily::V4;
  // Network byte order; an IPv4 address uses bytes[0..3] and leaves the rest zero.
  std::array<uint8_t, 16> bytes{};

  static IpAddress v4(const uint8_t* network_order);
  static IpAddress v6(const uint8_t* network_order);

  int bit_width() const { return family == IpFamily::V4 ? 32 : 128; }
  bool is_unspecified() const;  // 0.0.0.0 or ::
  bool is_link_local() const;   // 169.254/16, fe80::/10
  bool is_multicast() const;    // 224/4, ff00::/8
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct IpPrefix {
  IpAddress address;
  int length = 0;

  bool contains(const IpAddress& a) const;
  // "10.0.0.2/24", or the bare address when the prefix is one host.
  std::string to_string() const;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

// "192.168.0.1", "fd00::1". Errors read: invalid IP address 'x'.
Result<IpAddress> parse_ip_address(std::string_view text);
// "10.0.0.2/24" keeps the host bits (an interface address); without "/N" the prefix is
// one host. Errors name the text and what is wrong with it.
Result<IpPrefix> parse_ip_prefix(std::string_view text);
// Zeroes the host bits: 10.0.0.2/24 -> 10.0.0.0/24.
IpPrefix network_of(const IpPrefix& p);

}  // namespace emp::config
