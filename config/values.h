// Parsers for the value types of vassal-file keys. Each error names the value and
// says what was expected; the loader adds file, line and key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/vassal_spec.h"
#include "sys/result.h"

namespace emp::config {

Result<bool> parse_bool(std::string_view s);
Result<uint64_t> parse_count(std::string_view s, uint64_t min, uint64_t max);
// Bytes with an optional 1024-based unit: 512, 64K, 256M, 1G, 2T (also KB/KiB...).
Result<uint64_t> parse_size(std::string_view s);
enum class TimeUnit : uint8_t { Milliseconds, Seconds };
// A number in the key's own unit, or with a unit: 500ms, 30s, 5m, 1h; decimals allowed.
Result<Duration> parse_duration(std::string_view s, TimeUnit default_unit);
Result<std::string> parse_absolute_path(std::string_view s);
Result<std::string> parse_hostname(std::string_view s);
Result<std::string> parse_user(std::string_view s);  // a user/group name or number
Result<std::string> parse_interface_name(std::string_view s);
Result<PivotRoot> parse_pivot_root(std::string_view s);
Result<TuntapEndpoint> parse_tuntap_endpoint(std::string_view s);
Result<SocketAddress> parse_socket_address(std::string_view s);
Result<std::string> parse_env_assignment(std::string_view s);
Result<uint64_t> parse_octal_mode(std::string_view s);
Result<std::string> parse_owner(std::string_view s);  // user[:group]

// Durations and sizes in the spec's JSON form.
double duration_in(Duration d, TimeUnit unit);

}  // namespace emp::config
