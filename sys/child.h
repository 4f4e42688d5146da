// Child processes owned through a pidfd: spawned with clone3(CLONE_PIDFD) (optionally into
// new namespaces) and, at once, execve. Between clone and exec the child only arranges
// its fds (dup2), sets its death signal and session, and execs: no allocation, no locks,
// so it is safe from a threaded parent.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
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
};

class Child {
 public:
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
};

// Runs argv to completion with stdin from /dev/null and stdout+stderr captured.
// On timeout the child is killed (SIGKILL) and timed_out is set.
Result<CommandOutput> run_and_capture(const SpawnOptions& options, std::chrono::milliseconds timeout,
                                      size_t limit = 16384);

// An anonymous pipe, both ends close-on-exec.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
Result<Pipe> make_pipe(int extra_flags = 0);

const char* signal_name(int sig);

}  // namespace emp::sys
