// The emperor <-> vassal channel: one JSON object per SOCK_SEQPACKET record. Pure codec,
// used by both binaries. A tun device's fds travel with the "tun" message (SCM_RIGHTS).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/namespaces.h"
#include "sys/result.h"

namespace emp::vassal {

// --- emperor -> vassal ---

struct StartMessage {
  std::string spec_json;            // config::to_json(spec): the vassal never reads host files
  config::NamespaceSet namespaces;  // what the vassal was cloned into
  std::optional<uint32_t> force_uid, force_gid;  // emperor-tyrant: the file owner's ids
  int tun_queues = 1;  // queues of a native tun device: one per router thread
  // The emperor reads each worker's stdout and stderr on pipes of their own (handed over
  // with WorkerOutputMessage) and takes the master's own lines as LogMessage. Unset (a
  // standalone `vassal FILE`): workers and master share the vassal's stdout and stderr.
  bool worker_output = false;
};
struct ReloadMessage {
  std::string spec_json;  // only worker-level keys differ from the running spec
};
struct StopMessage {};

// --- vassal -> emperor ---

struct StepMessage {  // progress through the jail setup
  std::string step;   // NAMESPACE, MOUNT, PIVOT_ROOT, HOOK, ...
  std::string what;
};
struct TunMessage {  // fds attached: one per queue
  std::string device;
};
struct ReadyMessage {};
struct ReloadedMessage {};

struct WorkerInfo {
  int pid = 0;             // in the vassal's pid namespace
  uint64_t rss_bytes = 0;  // the worker and its descendants, from smaps_rollup
  uint64_t pss_bytes = 0;
  int64_t since_unix_ms = 0;
  uint64_t respawns = 0;
  uint64_t slot = 0;  // EMPEROR_WORKER (1-based); two workers share it during a chained reload
  // "running" (never used NOTIFY_SOCKET), "starting" (spoke, no READY=1 yet), "ready",
  // "busy" (BUSY=1), "retiring" (sent SIGTERM: cheaper, memory, recycling or reload)
  std::string state;
  std::string status;            // its last STATUS= text
  int64_t watchdog_unix_ms = 0;  // its last WATCHDOG=1; 0: never
  friend bool operator==(const WorkerInfo&, const WorkerInfo&) = default;
};
struct SocketInfo {
  int fd = 0;           // in every worker: 3, 4, ...
  std::string address;  // as bound: "127.0.0.1:8000", "/run/app.sock"
  std::string name;     // its LISTEN_FDNAMES entry
  friend bool operator==(const SocketInfo&, const SocketInfo&) = default;
};
struct HeartbeatMessage {  // on every change, and at least every 30 s (heartbeat_news.h)
  std::vector<WorkerInfo> workers;
  uint64_t workers_target = 0;
  std::optional<uint64_t> backlog;
  std::string last_worker_exit;  // "worker 2 (pid 7) exit status 1 after 0.2s; respawn in 0.4s"
  // How accepting workers are woken: "wake-one" (one shared queue per socket; the kernel
  // wakes a single worker blocked in accept) or "none" (no sockets).
  std::string thunder_lock;
  std::vector<SocketInfo> sockets;
  std::string cheaper_algo;   // "backlog", "spare", "manual"; empty: a fixed pool
  std::string last_decision;  // "backlog 12 > 3: +2 (3 -> 5)"
  std::string notify_socket;  // NOTIFY_SOCKET as the workers get it; empty: none
};
struct ErrorMessage {  // a fatal setup or exec failure; the vassal exits after sending it
  std::string step;
  std::string message;
};
// A worker was spawned: its output pipes' read ends travel with this message (SCM_RIGHTS:
// stdout, stderr, then the worker's pidfd, from which the emperor learns its host pid). Each
// pipe reaches EOF when the worker and its descendants have closed it, so a partial last
// line is the worker's own and is flushed then.
struct WorkerOutputMessage {
  int pid = 0;        // in the vassal's pid namespace
  uint64_t slot = 0;  // EMPEROR_WORKER
};
// One of the master's own lines, with its syslog severity (6 info, 4 warning, 3 error).
struct LogMessage {
  int level = 6;
  std::string text;
};

using Message = std::variant<StartMessage, ReloadMessage, StopMessage, StepMessage, TunMessage,
                             ReadyMessage, ReloadedMessage, HeartbeatMessage, ErrorMessage,
                             WorkerOutputMessage, LogMessage>;

std::string encode(const Message& m);
// Errors read: channel: malformed message: ...
Result<Message> decode(std::string_view text);

// Large enough for any spec we accept (config files are at most 1 MiB).
inline constexpr size_t kMaxMessageBytes = 4 << 20;

}  // namespace emp::vassal
