#include "config/values.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "config/text.h"

namespace emp::config {
namespace {

std::string q(std::string_view s) { return "'" + quote_for_message(s) + "'"; }

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Parses a decimal number with an optional fraction; returns the unit suffix in *rest.
bool parse_number_prefix(std::string_view s, double* value, std::string_view* rest) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return false;
  const std::string number(s.substr(0, i));
  if (number.front() == '.' || number.back() == '.' ||
      number.find('.') != number.rfind('.'))
    return false;
  *value = std::stod(number);
  *rest = s.substr(i);
  return true;
}

}  // namespace

Result<bool> parse_bool(std::string_view s) {
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  return fail("invalid boolean " + q(s) + " (expected true or false)");
}

Result<uint64_t> parse_count(std::string_view s, uint64_t min, uint64_t max) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || n < min || n > max)
    return fail("invalid number " + q(s) + " (expected a whole number from " +
                std::to_string(min) + " to " + std::to_string(max) + ")");
  return n;
}

Result<uint64_t> parse_size(std::string_view s) {
  const auto bad = [&] {
    return fail("invalid size " + q(s) +
                " (expected bytes with an optional unit K, M, G or T, e.g. 256M)");
  };
  double value = 0;
  std::string_view unit;
  if (!parse_number_prefix(s, &value, &unit)) return bad();
  std::string u;
  for (char c : unit) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double scale = 1;
  if (u.empty() || u == "B") {
    scale = 1;
  } else {
    static constexpr std::pair<char, double> kUnits[] = {
        {'K', 1024.0}, {'M', 1024.0 * 1024}, {'G', 1024.0 * 1024 * 1024},
        {'T', 1024.0 * 1024 * 1024 * 1024}};
    if (u.size() > 3 || !(u.size() == 1 || u.substr(1) == "B" || u.substr(1) == "IB")) return bad();
    bool found = false;
    for (auto [letter, factor] : kUnits)
      if (u[0] == letter) {
        scale = factor;
        found = true;
      }
    if (!found) return bad();
  }
  const double bytes = value * scale;
  if (bytes != std::floor(bytes) || bytes > 9.0e18) return bad();
  return static_cast<uint64_t>(bytes);
}

Result<Duration> parse_duration(std::string_view s, TimeUnit default_unit) {
  const auto bad = [&] {
    return fail("invalid duration " + q(s) + " (expected a number of " +
                (default_unit == TimeUnit::Seconds ? "seconds" : "milliseconds") +
                ", or one with a unit: 500ms, 30s, 5m, 1h)");
  };
  double value = 0;
  std::string_view unit;
  if (!parse_number_prefix(s, &value, &unit)) return bad();
  double ms_per_unit = default_unit == TimeUnit::Seconds ? 1000 : 1;
  if (unit == "ms") ms_per_unit = 1;
  else if (unit == "s") ms_per_unit = 1000;
  else if (unit == "m") ms_per_unit = 60'000;
  else if (unit == "h") ms_per_unit = 3'600'000;
  else if (!unit.empty()) return bad();
  const double ms = value * ms_per_unit;
  if (ms > 1e15) return bad();
  return Duration(static_cast<int64_t>(std::llround(ms)));
}

double duration_in(Duration d, TimeUnit unit) {
  return unit == TimeUnit::Seconds ? static_cast<double>(d.count()) / 1000.0
                                   : static_cast<double>(d.count());
}

Result<std::string> parse_absolute_path(std::string_view s) {
  if (s.empty() || s.front() != '/')
    return fail("path " + q(s) + " is not absolute (it must start with /)");
  return std::string(s);
}

Result<std::string> parse_hostname(std::string_view s) {
  // RFC 1123 labels; the kernel allows 64 bytes in a UTS name.
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.front() == '.' ||
      !all_of(s, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; }))
    return fail("invalid hostname " + q(s) +
                " (letters, digits, '-' and '.', at most 64 characters)");
  return std::string(s);
}

Result<std::string> parse_user(std::string_view s) {
  if (s.empty() || s.size() > 32 || s.front() == '-' || !all_of(s, is_name_char))
    return fail("invalid user or group " + q(s) + " (a name or a number)");
  return std::string(s);
}

Result<std::string> parse_interface_name(std::string_view s) {
  // IFNAMSIZ is 16 with the terminating NUL.
  if (s.empty() || s.size() > 15 || s == "." || s == ".." ||
      !all_of(s, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }))
    return fail("invalid device name " + q(s) +
                " (1 to 15 letters, digits, '_', '-' or '.')");
  return std::string(s);
}

Result<PivotRoot> parse_pivot_root(std::string_view s) {
  const auto words = split_words(s);
  if (words.size() != 2) return fail("expected 'NEW_ROOT OLD_ROOT', got " + q(s));
  EMP_TRY(std::string new_root, parse_absolute_path(words[0]));
  while (new_root.size() > 1 && new_root.back() == '/') new_root.pop_back();
  std::string_view old_root = words[1];
  // uWSGI configs write OLD_ROOT either relative to NEW_ROOT or as a full path under it.
  if (old_root.front() == '/') {
    if (old_root.substr(0, new_root.size() + 1) != new_root + "/")
      return fail("OLD_ROOT " + q(old_root) + " must be inside NEW_ROOT " + q(new_root));
    old_root.remove_prefix(new_root.size() + 1);
  }
  while (!old_root.empty() && old_root.back() == '/') old_root.remove_suffix(1);
  if (old_root.empty() || old_root == "." || old_root.substr(0, 2) == ".." ||
      old_root.find("/..") != std::string_view::npos)
    return fail("OLD_ROOT " + q(words[1]) + " must name a directory below NEW_ROOT");
  return PivotRoot{new_root, std::string(old_root)};
}

Result<TuntapEndpoint> parse_tuntap_endpoint(std::string_view s) {
  const auto words = split_words(s);
  if (words.size() != 2) return fail("expected 'DEV SOCKET', got " + q(s));
  EMP_TRY(std::string device, parse_interface_name(words[0]));
  EMP_TRY(std::string socket, parse_absolute_path(words[1]));
  return TuntapEndpoint{device, socket};
}

Result<SocketAddress> parse_socket_address(std::string_view s) {
  SocketAddress a;
  a.text = std::string(s);
  if (s.empty()) return fail("empty socket address");
  if (s.front() == '/') {
    if (s.size() > 107) return fail("unix socket path " + q(s) + " is longer than 107 bytes");
    a.kind = SocketAddress::Kind::Unix;
    a.path = std::string(s);
    return a;
  }
  a.kind = SocketAddress::Kind::Inet;
  std::string_view host, port;
  if (s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return fail("invalid socket " + q(s) + " (expected [IPV6]:PORT)");
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos)
      return fail("invalid socket " + q(s) + " (expected /PATH, HOST:PORT or [IPV6]:PORT)");
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return fail("invalid socket " + q(s) + " (write IPv6 addresses in brackets: [::1]:8080)");
  }
  auto p = parse_count(port, 0, 65535);
  if (!p) return fail("invalid socket " + q(s) + ": port " + q(port) + " is not 0..65535");
  a.port = static_cast<uint16_t>(*p);
  if (host == "localhost") host = "127.0.0.1";
  if (!host.empty()) {
    auto ip = parse_ip_address(host);
    if (!ip) return fail("invalid socket " + q(s) + ": host " + q(host) + " is not an IP address");
    a.host = *ip;
  }
  return a;
}

Result<std::string> parse_env_assignment(std::string_view s) {
  const auto eq = s.find('=');
  const auto name = s.substr(0, eq);
  if (eq == std::string_view::npos || name.empty() ||
      std::isdigit(static_cast<unsigned char>(name.front())) ||
      !all_of(name, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
    return fail("invalid environment assignment " + q(s) + " (expected NAME=VALUE)");
  return std::string(s);
}

Result<uint64_t> parse_octal_mode(std::string_view s) {
  uint64_t mode = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), mode, 8);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || mode > 07777)
    return fail("invalid mode " + q(s) + " (expected octal permissions such as 660)");
  return mode;
}

Result<std::string> parse_owner(std::string_view s) {
  const auto colon = s.find(':');
  EMP_CHECK(parse_user(s.substr(0, colon)));
  if (colon != std::string_view::npos) EMP_CHECK(parse_user(s.substr(colon + 1)));
  return std::string(s);
}

}  // namespace emp::config
