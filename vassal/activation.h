// What a worker gets in its environment, with the systemd socket-activation
// convention (sd_listen_fds(3)): the listening sockets on fds 3.., LISTEN_FDS,
// LISTEN_FDNAMES (LISTEN_PID: sys::SpawnOptions::listen_pid_env, as only the spawn knows the
// worker's pid), plus NOTIFY_SOCKET and WATCHDOG_USEC. Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/vassal_spec.h"

namespace emp::vassal {

inline constexpr int kFirstListenFd = 3;  // SD_LISTEN_FDS_START

// A name for LISTEN_FDNAMES: the address as written, with what sd_listen_fds_with_names()
// refuses (':' and non-printable bytes) turned into '_': "127.0.0.1:8000" -> "127.0.0.1_8000".
std::string fd_name(const config::SocketAddress& address);

struct WorkerEnvInput {
  std::string vassal;                 // EMPEROR_VASSAL
  uint64_t slot = 1;                  // EMPEROR_WORKER
  std::vector<std::string> spec_env;  // `env` keys, NAME=VALUE
  std::vector<config::SocketAddress> sockets;
  std::string notify_socket;  // empty: no readiness protocol
  std::optional<std::chrono::milliseconds> watchdog;
};

// PATH and HOME first (the `env` keys may replace them), then the `env` keys, then what
// the master owns (EMPEROR_*, LISTEN_*, NOTIFY_SOCKET, WATCHDOG_USEC), which nothing
// replaces. Each name appears once: a later value replaces an earlier one in place.
std::vector<std::string> worker_env(const WorkerEnvInput& in);

}  // namespace emp::vassal
