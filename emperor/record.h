// What the emperor knows about one vassal: its file and spec, its lifecycle state, its
// process and channel, and the facts shown by `emperor status`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/vassal_spec.h"
#include "emperor/lifecycle.h"
#include "emperor/vassal_dir.h"
#include "logs/line_splitter.h"
#include "logs/ring.h"
#include "sys/child.h"
#include "sys/unique_fd.h"
#include "vassal/channel.h"
#include "vassal/protocol.h"

namespace emp::emperor {

using SteadyTime = std::chrono::steady_clock::time_point;

// A vassal's epoll tokens: bit 48 set, the record id in bits 3..31, the kind in bits 0..2,
// and for a worker's output stream its index in bits 32..47.
inline constexpr uint64_t kVassalTokens = 1ull << 48;
inline constexpr uint64_t kKindChannel = 0, kKindProcess = 1, kKindStdout = 2, kKindStderr = 3,
                          kKindWorkerOutput = 4;
inline constexpr uint64_t kIdMask = (1ull << 32) - 1;
inline constexpr uint64_t kWorkerOutputIndexes = 1ull << 16;

struct OutputStream {
  sys::UniqueFd fd;
  logs::LineSplitter lines;
  bool paused = false;  // not read while a logger it feeds is congested (backpressure)
  bool is_stderr = false;
  // A worker's own pipe: the worker's host pid, for its lines' ${pid} (0: the vassal-wide
  // pipes, whose lines carry the vassal's pid).
  int pid = 0;
};

struct Record {
  uint64_t id = 0;
  std::string name;

  // The file as last seen, and the content that produced `spec` (they differ while an
  // invalid edit is pending).
  FileSnapshot file;
  std::string spec_content;
  std::optional<config::VassalSpec> spec;
  std::optional<uint32_t> force_uid, force_gid;  // emperor-tyrant

  State state = State::Stopped;
  Intent intent = Intent::StayStopped;
  int64_t since_unix_ms = 0;  // when the state last changed

  // The running process, if any.
  std::optional<sys::Child> process;
  vassal::Channel channel;
  OutputStream out, err;  // the vassal-wide pipes: jail setup, hooks (and standalone workers)
  // Each worker's stdout and stderr, handed over by the master, by their index in the epoll
  // token; a stream goes when the worker (and whatever inherited it) has closed it.
  std::map<uint64_t, OutputStream> worker_output;
  uint64_t last_worker_output = 0;
  config::NamespaceSet namespaces;
  SteadyTime spawned_at{};
  int64_t started_unix_ms = 0;
  bool ready = false;
  std::optional<std::string> fatal;  // an error message the vassal sent before exiting
  std::string setup_step;            // the last jail step it reported
  std::string last_stderr;           // the last line it printed on stderr
  vassal::HeartbeatMessage heartbeat;
  std::map<int, int> host_pids;  // worker pid in the vassal's namespace -> host pid
  std::optional<uint64_t> router_peer;

  // The last lines it printed, for `emperor logs` (kept across restarts).
  std::unique_ptr<logs::Ring> ring;
  std::string log_config;  // its logging keys as last given to the pipeline
  // Why its logging could not be configured (a logger that cannot be opened, a `:LOGGER` the
  // emperor does not have); empty once it could. Survives Ready, which clears last_error.
  std::string log_error;

  // Timers.
  std::optional<SteadyTime> backoff_at;
  std::optional<SteadyTime> mercy_at;

  // Counters and history.
  uint32_t young_deaths = 0;
  uint64_t starts = 0;
  uint64_t reloads = 0;
  std::optional<sys::ExitStatus> last_exit;
  std::string last_error;

  uint64_t restarts() const { return starts > 0 ? starts - 1 : 0; }
  bool has_process() const { return process.has_value(); }
};

}  // namespace emp::emperor
