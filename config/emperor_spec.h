// The emperor's own config (emperor run --config FILE), parsed like a vassal file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/vassal_spec.h"

namespace emp::config {

// tuntap-router-address = [DEV] CIDR: DEV defaults to the first tuntap-router device.
struct RouterAddress {
  std::string device;  // empty: the first router device
  IpPrefix address;
  friend bool operator==(const RouterAddress&, const RouterAddress&) = default;
};

struct EmperorSpec {
  Source source;

  std::optional<std::string> emperor;  // the vassal directory
  std::optional<NamespaceSet> emperor_use_clone;
  std::optional<bool> emperor_tyrant;
  std::optional<Duration> emperor_throttle;
  std::optional<Duration> emperor_max_throttle;
  std::optional<std::string> runtime_dir;

  std::vector<TuntapEndpoint> tuntap_router;
  std::vector<RouterAddress> tuntap_router_address;
  std::vector<FirewallRule> tuntap_router_firewall_in;
  std::vector<FirewallRule> tuntap_router_firewall_out;
  std::vector<Hook> exec_as_root;

  std::vector<LogEncoderSpec> log_encoder;
  std::vector<LoggerSpec> logger;
  std::optional<std::string> logto;
  std::optional<uint64_t> log_ring_lines;

  std::optional<bool> strict;
};

inline constexpr const char* kDefaultVassalsDir = "/etc/vassals";
inline constexpr const char* kDefaultRuntimeDir = "/run/emperor";
inline constexpr Duration kDefaultThrottle{1'000};       // uWSGI's default, in ms
inline constexpr Duration kDefaultMaxThrottle{180'000};  // uWSGI's default: 3 minutes
inline constexpr uint64_t kDefaultLogRingLines = 1000;
NamespaceSet default_use_clone();  // ipc,uts,mount,pid,net

}  // namespace emp::config
