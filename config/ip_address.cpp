#include "config/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace emp::config {

IpAddress IpAddress::v4(const uint8_t* network_order) {
  IpAddress a;
  a.family = IpFamily::V4;
  std::memcpy(a.bytes.data(), network_order, 4);
  return a;
}

IpAddress IpAddress::v6(const uint8_t* network_order) {
  IpAddress a;
  a.family = IpFamily::V6;
  std::memcpy(a.bytes.data(), network_order, 16);
  return a;
}

bool IpAddress::is_unspecified() const {
  const auto n = static_cast<size_t>(bit_width() / 8);
  return std::all_of(bytes.begin(), bytes.begin() + static_cast<long>(n),
                     [](uint8_t b) { return b == 0; });
}

bool IpAddress::is_link_local() const {
  if (family == IpFamily::V4) return bytes[0] == 169 && bytes[1] == 254;
  return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

bool IpAddress::is_multicast() const {
  if (family == IpFamily::V4) return (bytes[0] & 0xf0) == 0xe0;
  return bytes[0] == 0xff;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family == IpFamily::V4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

bool IpPrefix::contains(const IpAddress& a) const {
  if (a.family != address.family) return false;
  int bits = length;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (address.bytes[i] & mask)) return false;
  }
  return true;
}

std::string IpPrefix::to_string() const {
  if (length == address.bit_width()) return address.to_string();
  return address.to_string() + "/" + std::to_string(length);
}

Result<IpAddress> parse_ip_address(std::string_view text) {
  const std::string s(text);
  IpAddress a;
  if (s.find(':') == std::string::npos) {
    if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
      a.family = IpFamily::V4;
      return a;
    }
  } else if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = IpFamily::V6;
    return a;
  }
  return fail("invalid IP address '" + s + "'");
}

Result<IpPrefix> parse_ip_prefix(std::string_view text) {
  const auto slash = text.find('/');
  auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return fail("invalid address '" + std::string(text) + "': " +
                            std::string(text.substr(0, slash)) + " is not an IP address");
  IpPrefix p{*address, address->bit_width()};
  if (slash == std::string_view::npos) return p;
  const auto len = text.substr(slash + 1);
  int n = -1;
  auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), n);
  if (ec != std::errc{} || end != len.data() + len.size() || n < 0 || n > p.address.bit_width())
    return fail("invalid address '" + std::string(text) + "': prefix length must be 0.." +
                std::to_string(p.address.bit_width()));
  p.length = n;
  return p;
}

IpPrefix network_of(const IpPrefix& p) {
  IpPrefix n = p;
  for (int i = 0; i < 16; ++i) {
    const int bits = p.length - i * 8;
    const uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
    n.address.bytes[static_cast<size_t>(i)] &= mask;
  }
  return n;
}

}  // namespace emp::config
