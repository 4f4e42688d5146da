// The spec: a vassal file parsed, validated and normalized into plain values.
// std::optional means "not set in the file": defaults are applied by whoever uses the
// value (the *_or_default helpers below), so the spec's JSON shows only what was written.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/firewall_rule.h"
#include "config/hook.h"
#include "config/ip_address.h"
#include "config/log_spec.h"
#include "config/namespaces.h"

namespace emp::config {

using Duration = std::chrono::milliseconds;

enum class SourceFormat : uint8_t { Ini, Toml, Json };
const char* format_name(SourceFormat f);

struct Source {
  std::string file;  // the path given to the loader
  SourceFormat format = SourceFormat::Ini;
  friend bool operator==(const Source&, const Source&) = default;
};

// "NEW_ROOT OLD_ROOT": OLD_ROOT is relative to NEW_ROOT, as in uWSGI.
struct PivotRoot {
  std::string new_root;
  std::string old_root;
  friend bool operator==(const PivotRoot&, const PivotRoot&) = default;
};

// "DEV SOCKET": a tun device name and the router's unix socket path.
struct TuntapEndpoint {
  std::string device;
  std::string socket;
  friend bool operator==(const TuntapEndpoint&, const TuntapEndpoint&) = default;
};

enum class TuntapMode : uint8_t { Native, Uwsgi };
enum class SeccompMode : uint8_t { Default, Off };
enum class CheaperAlgo : uint8_t { Backlog, Spare, Manual };
enum class ReloadLazy : uint8_t { All, Chain };

// socket = PATH | HOST:PORT | [IPV6]:PORT
struct SocketAddress {
  enum class Kind : uint8_t { Unix, Inet } kind = Kind::Unix;
  std::string path;                 // Unix
  std::optional<IpAddress> host;    // Inet; nullopt: every IPv4 address (":8080")
  uint16_t port = 0;                // Inet
  std::string text;                 // as written
  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

struct VassalSpec {
  std::string name;  // the file name without its extension
  Source source;

  // namespaces
  NamespaceSet unshare;

  // root
  std::optional<PivotRoot> pivot_root;
  std::optional<bool> pivot_root_keep_old;
  std::optional<std::string> chroot;
  std::optional<bool> jail_dev;  // a minimal /dev in the new root (default: on)
  std::optional<std::string> hostname;

  // hooks, in phase order; hook-* actions of a phase run before its exec-* commands
  std::vector<Hook> exec_pre_jail, exec_post_jail, exec_as_root, exec_as_user;
  std::vector<Hook> hook_pre_jail, hook_post_jail, hook_as_root, hook_as_user;

  // identity
  std::optional<std::string> uid;
  std::optional<std::string> gid;
  std::vector<std::string> add_gid;
  std::optional<bool> initgroups;
  std::vector<std::string> cap;  // as written; "net_bind_service" or "cap_net_bind_service"

  // seccomp
  std::optional<SeccompMode> seccomp;
  std::vector<std::string> seccomp_deny;
  std::vector<std::string> seccomp_allow;
  std::optional<bool> seccomp_log;

  // network
  std::optional<TuntapEndpoint> tuntap_device;
  std::optional<TuntapMode> tuntap_device_mode;
  std::vector<IpPrefix> net_address;
  std::vector<IpAddress> net_gateway;
  std::optional<bool> net_loopback;
  std::optional<uint64_t> net_mtu;
  std::vector<FirewallRule> tuntap_firewall_in;
  std::vector<FirewallRule> tuntap_firewall_out;

  // workers
  std::optional<std::string> command;
  std::optional<uint64_t> processes;
  std::optional<uint64_t> cheaper;
  std::optional<uint64_t> cheaper_initial;
  std::optional<uint64_t> cheaper_step;
  std::optional<CheaperAlgo> cheaper_algo;
  std::optional<uint64_t> cheaper_overload;
  std::optional<uint64_t> cheaper_rss_limit_soft;  // bytes
  std::optional<uint64_t> cheaper_rss_limit_hard;  // bytes
  std::optional<bool> memory_report;
  std::vector<SocketAddress> socket;
  std::optional<uint64_t> chmod_socket;  // mode bits
  std::optional<std::string> chown_socket;
  std::vector<std::string> env;  // NAME=VALUE
  std::optional<std::string> chdir;
  std::optional<Duration> reload_mercy;
  std::optional<Duration> worker_reload_mercy;
  std::optional<bool> shutdown_wait_all;
  std::optional<ReloadLazy> reload_lazy;
  std::optional<Duration> max_worker_lifetime;
  std::optional<uint64_t> reload_on_rss;  // bytes
  std::optional<Duration> worker_watchdog;

  // logging
  std::vector<LogEncoderSpec> log_encoder;
  std::vector<LoggerSpec> logger;
  std::optional<std::string> logto;

  std::optional<bool> strict;
};

// Defaults live here, next to the spec, so every consumer agrees on them.
inline constexpr uint64_t kDefaultProcesses = 1;
inline constexpr Duration kDefaultReloadMercy{30'000};
inline constexpr Duration kDefaultWorkerReloadMercy{60'000};
inline constexpr uint64_t kDefaultCheaperOverload = 3;

}  // namespace emp::config
