// Value parsers: what they accept, and their messages verbatim.
#include <doctest/doctest.h>

#include "config/values.h"

namespace emp::config {
namespace {

template <class T>
std::string error_of(const Result<T>& r) {
  return r.has_value() ? std::string("(no error)") : r.error().message;
}

TEST_CASE("sizes take 1024-based units; uWSGI's 256M-as-bytes is gone") {
  CHECK(parse_size("512").value() == 512u);
  CHECK(parse_size("64K").value() == 65536u);
  CHECK(parse_size("256M").value() == 268435456u);
  CHECK(parse_size("256m").value() == 268435456u);
  CHECK(parse_size("1G").value() == 1073741824u);
  CHECK(parse_size("1GiB").value() == 1073741824u);
  CHECK(parse_size("2TB").value() == 2199023255552u);
  CHECK(parse_size("1.5K").value() == 1536u);
  for (const char* bad : {"", "M", "12Q", "-1", "1.2.3M", "1.1", "12 M", "1KK"})
    CHECK(error_of(parse_size(bad)) == "invalid size '" + std::string(bad) +
                                           "' (expected bytes with an optional unit K, M, G or T, e.g. 256M)");
}

TEST_CASE("durations in the key's unit or with a unit") {
  CHECK(parse_duration("30", TimeUnit::Seconds).value() == Duration(30000));
  CHECK(parse_duration("30", TimeUnit::Milliseconds).value() == Duration(30));
  CHECK(parse_duration("500ms", TimeUnit::Seconds).value() == Duration(500));
  CHECK(parse_duration("1.5s", TimeUnit::Milliseconds).value() == Duration(1500));
  CHECK(parse_duration("2m", TimeUnit::Seconds).value() == Duration(120000));
  CHECK(parse_duration("1h", TimeUnit::Seconds).value() == Duration(3600000));
  CHECK(error_of(parse_duration("soon", TimeUnit::Seconds)) ==
        "invalid duration 'soon' (expected a number of seconds, or one with a unit: 500ms, 30s, 5m, 1h)");
  CHECK(error_of(parse_duration("5d", TimeUnit::Milliseconds)) ==
        "invalid duration '5d' (expected a number of milliseconds, or one with a unit: 500ms, 30s, 5m, 1h)");
}

TEST_CASE("booleans and counts") {
  for (const char* t : {"true", "yes", "on", "1"}) CHECK(parse_bool(t).value());
  for (const char* f : {"false", "no", "off", "0"}) CHECK_FALSE(parse_bool(f).value());
  CHECK(error_of(parse_bool("maybe")) == "invalid boolean 'maybe' (expected true or false)");
  CHECK(parse_count("7", 1, 10).value() == 7u);
  CHECK(error_of(parse_count("0", 1, 10)) == "invalid number '0' (expected a whole number from 1 to 10)");
  CHECK(error_of(parse_count("3x", 1, 10)) == "invalid number '3x' (expected a whole number from 1 to 10)");
  CHECK(error_of(parse_count("99999999999999999999", 1, 10)) ==
        "invalid number '99999999999999999999' (expected a whole number from 1 to 10)");
}

TEST_CASE("paths, hostnames, users, interface names") {
  CHECK(parse_absolute_path("/srv").value() == "/srv");
  CHECK(error_of(parse_absolute_path("srv")) == "path 'srv' is not absolute (it must start with /)");
  CHECK(parse_hostname("web-1.example").value() == "web-1.example");
  CHECK(error_of(parse_hostname("web 1")) ==
        "invalid hostname 'web 1' (letters, digits, '-' and '.', at most 64 characters)");
  CHECK(error_of(parse_hostname(std::string(65, 'a'))).rfind("invalid hostname 'aaaa", 0) == 0);
  CHECK(parse_user("www-data").value() == "www-data");
  CHECK(parse_user("1000").value() == "1000");
  CHECK(error_of(parse_user("a:b")) == "invalid user or group 'a:b' (a name or a number)");
  CHECK(error_of(parse_interface_name("averyveryverylongname")) ==
        "invalid device name 'averyveryverylongname' (1 to 15 letters, digits, '_', '-' or '.')");
  CHECK(error_of(parse_hostname("a\x01")) ==
        "invalid hostname 'a\\x01' (letters, digits, '-' and '.', at most 64 characters)");
}

TEST_CASE("pivot-root: NEW_ROOT OLD_ROOT, OLD_ROOT relative or inside NEW_ROOT") {
  auto p = parse_pivot_root("/srv/root old").value();
  CHECK(p.new_root == "/srv/root");
  CHECK(p.old_root == "old");
  CHECK(parse_pivot_root("/srv/root/ /srv/root/.old/").value().old_root == ".old");
  CHECK(error_of(parse_pivot_root("/srv/root")) == "expected 'NEW_ROOT OLD_ROOT', got '/srv/root'");
  CHECK(error_of(parse_pivot_root("srv old")) == "path 'srv' is not absolute (it must start with /)");
  CHECK(error_of(parse_pivot_root("/srv/root /elsewhere")) ==
        "OLD_ROOT '/elsewhere' must be inside NEW_ROOT '/srv/root'");
  CHECK(error_of(parse_pivot_root("/srv/root ../x")) == "OLD_ROOT '../x' must name a directory below NEW_ROOT");
  CHECK(error_of(parse_pivot_root("/srv/root .")) == "OLD_ROOT '.' must name a directory below NEW_ROOT");
}

TEST_CASE("sockets") {
  auto u = parse_socket_address("/run/app.sock").value();
  CHECK(u.kind == SocketAddress::Kind::Unix);
  auto any = parse_socket_address(":8080").value();
  CHECK(any.kind == SocketAddress::Kind::Inet);
  CHECK_FALSE(any.host.has_value());
  CHECK(any.port == 8080);
  CHECK(parse_socket_address("localhost:80").value().host->to_string() == "127.0.0.1");
  CHECK(parse_socket_address("[::1]:443").value().host->to_string() == "::1");
  CHECK(error_of(parse_socket_address("::1:443")) ==
        "invalid socket '::1:443' (write IPv6 addresses in brackets: [::1]:8080)");
  CHECK(error_of(parse_socket_address("web:80")) == "invalid socket 'web:80': host 'web' is not an IP address");
  CHECK(error_of(parse_socket_address("1.2.3.4:70000")) ==
        "invalid socket '1.2.3.4:70000': port '70000' is not 0..65535");
  CHECK(error_of(parse_socket_address("8080")) ==
        "invalid socket '8080' (expected /PATH, HOST:PORT or [IPV6]:PORT)");
  CHECK(error_of(parse_socket_address("[::1]443")) == "invalid socket '[::1]443' (expected [IPV6]:PORT)");
  CHECK(error_of(parse_socket_address("/" + std::string(120, 'x'))).find("longer than 107 bytes") !=
        std::string::npos);
}

TEST_CASE("env, modes, owners, tuntap endpoints, addresses") {
  CHECK(parse_env_assignment("A_1=x=y").value() == "A_1=x=y");
  CHECK(error_of(parse_env_assignment("1A=x")) == "invalid environment assignment '1A=x' (expected NAME=VALUE)");
  CHECK(error_of(parse_env_assignment("NOVALUE")) ==
        "invalid environment assignment 'NOVALUE' (expected NAME=VALUE)");
  CHECK(parse_octal_mode("660").value() == 0660u);
  CHECK(error_of(parse_octal_mode("889")) == "invalid mode '889' (expected octal permissions such as 660)");
  CHECK(parse_owner("www:www").value() == "www:www");
  CHECK(error_of(parse_owner("www:")) == "invalid user or group '' (a name or a number)");
  auto t = parse_tuntap_endpoint("uwsgi0 /run/t.sock").value();
  CHECK(t.device == "uwsgi0");
  CHECK(t.socket == "/run/t.sock");
  CHECK(error_of(parse_tuntap_endpoint("uwsgi0")) == "expected 'DEV SOCKET', got 'uwsgi0'");
  CHECK(parse_ip_prefix("10.0.0.2/24").value().length == 24);
  CHECK(parse_ip_prefix("fd00::1").value().length == 128);
  CHECK(error_of(parse_ip_prefix("10.0.0.2/33")) == "invalid address '10.0.0.2/33': prefix length must be 0..32");
  CHECK(error_of(parse_ip_prefix("10.0.0/24")) == "invalid address '10.0.0/24': 10.0.0 is not an IP address");
  CHECK(error_of(parse_ip_prefix("fd00::/129")) == "invalid address 'fd00::/129': prefix length must be 0..128");
}

}  // namespace
}  // namespace emp::config
