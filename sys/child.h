// Child processes owned through a pidfd: spawned with clone(CLONE_PIDFD | CLONE_VM |
// CLONE_VFORK) (optionally into new namespaces) and, at once, execve. The child shares the
// caller's memory until it execs, so between clone and exec it only arranges its fds
// (dup2), sets its death signal, session and directory, and execs: no allocation, no locks,
// so it is safe from a threaded parent. A step that fails there (dup2, chdir, execve) is
// left in shared memory and spawn() returns it as an error, so a bad working directory
// reads "chdir '/x': No such file or directory", not "exit status 127".
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

struct ExitStatus {
  int code = -1;   // exit code when the process exited
  int signal = 0;  // the signal that killed it, else 0
  bool success() const { return signal == 0 && code == 0; }
  // As a shell reports it: the exit code, or 128 + the signal.
  int shell_code() const { return signal ? 128 + signal : code; }
  // "exit status 3", "killed by signal 9 (SIGKILL)"
  std::string to_string() const;
  friend bool operator==(const ExitStatus&, const ExitStatus&) = default;
};

struct SpawnOptions {
  std::vector<std::string> argv;                 // argv[0] is the program (a path)
  std::optional<std::vector<std::string>> env;   // nullopt: inherit the caller's environ
  // (fd in the caller, fd number in the child). Every other fd is closed by O_CLOEXEC.
  std::vector<std::pair<int, int>> fds;
  uint64_t clone_flags = 0;  // CLONE_NEWIPC, CLONE_NEWPID, ...
  int exec_fd = -1;          // >= 0: execveat(exec_fd, "", AT_EMPTY_PATH) instead of argv[0]
  int death_signal = 0;      // PR_SET_PDEATHSIG: the signal the child gets when we die
  bool new_session = false;  // setsid()
  std::string cwd;           // chdir() before exec when not empty
  // argv[0] without a '/' is looked for in each directory of PATH (from `env`, else the
  // caller's), as execvp does: the first that execs wins, EACCES is reported over ENOENT.
  bool search_path = false;
  // LISTEN_PID=<the child's pid> is added to the environment (sd_listen_fds(3) needs the
  // pid of the process that uses the fds, which exists only after the clone).
  bool listen_pid_env = false;
};

class Child {
 public:
  // Returns once the child has exec'd (or failed before: then it is reaped and the error
  // names the step: "chdir '/srv/app': No such file or directory", "execve '/bin/sh': ...").
  static Result<Child> spawn(const SpawnOptions& options);

  Child(Child&&) noexcept = default;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // A child still running when its owner goes is killed and reaped: no orphans, no zombies.
  ~Child();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }  // readable when the child has exited
  bool reaped() const { return reaped_; }

  Result<void> signal(int sig);  // pidfd_send_signal: never hits a recycled pid
  // The child's process group (spawned with new_session: what it started in the background
  // too). Only before the child is reaped, so its group id cannot have been recycled.
  Result<void> signal_group(int sig);
  // Reaps without blocking; nullopt while it runs.
  Result<std::optional<ExitStatus>> try_wait();
  Result<ExitStatus> wait();
  // Gives up ownership (e.g. the process was reaped elsewhere); the pidfd is closed.
  void release();

 private:
  Child(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  bool reaped_ = false;
};

struct CommandOutput {
  ExitStatus status;
  std::string output;  // stdout and stderr interleaved, at most `limit` bytes kept (the tail)
  bool timed_out = false;
  std::string cancelled;  // why a CancelWatch stopped the command ("SIGTERM"); else empty
};

// An fd run_and_capture() watches besides the command (a signalfd, a control channel).
// When it is readable, on_ready decides: go on, stop watching it, or cancel the command.
struct CancelWatch {
  struct Verdict {
    enum Kind : uint8_t { Continue, Ignore, Cancel } kind = Continue;
    std::string reason;  // Cancel: what stopped it, e.g. "SIGTERM"
  };
  int fd = -1;
  std::function<Verdict()> on_ready;
};

struct CaptureOptions {
  std::chrono::milliseconds timeout{60'000};
  size_t limit = 16384;
  // After the command exits, its output is read until EOF or for this long, whichever comes
  // first: a process it left in the background may hold the pipe open for as long as it runs.
  std::chrono::milliseconds grace{50};
  std::vector<CancelWatch> cancel;
};

// Runs argv to completion in a session of its own (new_session is forced) with stdin from
// /dev/null and stdout+stderr captured. On timeout or cancel the command's process group
// is killed (SIGKILL) and timed_out or cancelled is set.
Result<CommandOutput> run_and_capture(const SpawnOptions& options, const CaptureOptions& capture);
Result<CommandOutput> run_and_capture(const SpawnOptions& options, std::chrono::milliseconds timeout,
                                      size_t limit = 16384);

// An anonymous pipe, both ends close-on-exec.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
Result<Pipe> make_pipe(int extra_flags = 0);

const char* signal_name(int sig);

// setsid(): the caller leaves its controlling terminal. A process-group leader, which
// cannot start a session, drops its controlling terminal (TIOCNOTTY) instead.
Result<void> new_session();

}  // namespace emp::sys
