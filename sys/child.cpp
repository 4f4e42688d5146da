#include "sys/child.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

extern char** environ;

namespace emp::sys {
namespace {

// fds handed to the child are first duplicated above this number, so that no dup2 in
// the child can clobber a source another dup2 still needs.
constexpr int kStagingFloor = 64;

int pidfd_send_signal_raw(int pidfd, int sig, unsigned flags = 0) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, flags));
}

ExitStatus status_of(const siginfo_t& info) {
  ExitStatus s;
  if (info.si_code == CLD_EXITED) {
    s.code = info.si_status;
  } else {
    s.signal = info.si_status;
  }
  return s;
}

// What a child writes to its report pipe when a step before exec fails.
struct SpawnReport {
  int step;
  int error;   // errno
  int detail;  // kReportDup: the target fd
};
constexpr int kReportDup = 1;
constexpr int kReportChdir = 2;
constexpr int kReportExec = 3;

// pidfd_send_signal flag (Linux 6.9): signal the target's process group.
constexpr unsigned kPidfdSignalProcessGroup = 1u << 2;

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string ExitStatus::to_string() const {
  if (signal != 0)
    return "killed by signal " + std::to_string(signal) + " (" + signal_name(signal) + ")";
  return "exit status " + std::to_string(code);
}

const char* signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  static thread_local char buf[16];
  if (!abbrev) return "unknown";
  std::snprintf(buf, sizeof buf, "SIG%s", abbrev);
  return buf;
}

Result<Child> Child::spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return fail("spawn: empty argv");
  // Everything the child touches is prepared here, before clone.
  std::vector<char*> argv = c_strings(o.argv);
  std::vector<char*> envp = o.env ? c_strings(*o.env) : std::vector<char*>{};
  char** env = o.env ? envp.data() : environ;
  std::vector<UniqueFd> staged;
  std::vector<std::pair<int, int>> moves;  // (staged fd, target)
  for (const auto& [from, to] : o.fds) {
    UniqueFd copy(::fcntl(from, F_DUPFD_CLOEXEC, kStagingFloor));
    if (!copy) return fail_errno("spawn '" + o.argv[0] + "': dup fd " + std::to_string(from));
    moves.emplace_back(copy.get(), to);
    staged.push_back(std::move(copy));
  }

  // The program's fd is staged too: a dup2 above could land on its number.
  UniqueFd exec_copy;
  if (o.exec_fd >= 0) {
    exec_copy.reset(::fcntl(o.exec_fd, F_DUPFD_CLOEXEC, kStagingFloor));
    if (!exec_copy) return fail_errno("spawn '" + o.argv[0] + "': dup program fd");
  }
  const int exec_fd = exec_copy.get();

  // The child's report of a step that failed before exec; its write end is staged like the
  // others and closes on exec, so EOF means the program runs.
  EMP_TRY(Pipe report, make_pipe());
  UniqueFd report_copy(::fcntl(report.write.get(), F_DUPFD_CLOEXEC, kStagingFloor));
  if (!report_copy) return fail_errno("spawn '" + o.argv[0] + "': dup report pipe");
  report.write.reset();
  const int report_fd = report_copy.get();

  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_PIDFD | o.clone_flags;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS && o.clone_flags == 0) {
    // A seccomp filter that cannot inspect clone3's flags (it passes a pointer) makes it
    // ENOSYS, as glibc expects; plain clone carries CLONE_PIDFD too (since Linux 5.2).
    pid = ::syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, nullptr, &pidfd, nullptr, nullptr);
  }
  if (pid < 0) return fail_errno("clone3 '" + o.argv[0] + "'");
  if (pid == 0) {
    // The child: async-signal-safe calls only, then exec. A failure is reported on the
    // pipe (a write of a few bytes is atomic) and ends the child with 127.
    auto fail_step = [report_fd](int step, int detail) {
      const SpawnReport r{step, errno, detail};
      (void)!::write(report_fd, &r, sizeof r);
      ::_exit(127);
    };
    for (const auto& [from, to] : moves)
      if (::dup2(from, to) < 0) fail_step(kReportDup, to);
    if (o.death_signal != 0) ::prctl(PR_SET_PDEATHSIG, o.death_signal);
    if (o.new_session) ::setsid();
    if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) fail_step(kReportChdir, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (exec_fd >= 0) {
      ::syscall(SYS_execveat, exec_fd, "", argv.data(), env, AT_EMPTY_PATH);
    } else {
      ::execve(argv[0], argv.data(), env);
    }
    fail_step(kReportExec, 0);
  }
  Child child(static_cast<pid_t>(pid), UniqueFd(pidfd));
  report_copy.reset();
  staged.clear();
  exec_copy.reset();
  SpawnReport r{};
  ssize_t n;
  while ((n = ::read(report.read.get(), &r, sizeof r)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return child;  // EOF: exec'd (a read error leaves it to the caller's wait)
  (void)child.wait();
  if (n != sizeof r) return fail("spawn '" + o.argv[0] + "': short report from the child", EIO);
  errno = r.error;
  switch (r.step) {
    case kReportDup: return fail_errno("spawn '" + o.argv[0] + "': dup2 to fd " + std::to_string(r.detail));
    case kReportChdir: return fail_errno("chdir '" + o.cwd + "'");
    default: return fail_errno("execve '" + o.argv[0] + "'");
  }
}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    this->~Child();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    reaped_ = std::exchange(other.reaped_, true);
  }
  return *this;
}

Child::~Child() {
  if (pid_ <= 0 || reaped_ || !pidfd_) return;
  pidfd_send_signal_raw(pidfd_.get(), SIGKILL);
  siginfo_t info{};
  while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED) < 0 && errno == EINTR) {
  }
}

Result<void> Child::signal(int sig) {
  if (reaped_) return fail("signal pid " + std::to_string(pid_) + ": already reaped", ESRCH);
  if (pidfd_send_signal_raw(pidfd_.get(), sig) != 0)
    return fail_errno("pidfd_send_signal pid " + std::to_string(pid_));
  return ok();
}

Result<void> Child::signal_group(int sig) {
  if (reaped_) return fail("signal group " + std::to_string(pid_) + ": already reaped", ESRCH);
  if (pidfd_send_signal_raw(pidfd_.get(), sig, kPidfdSignalProcessGroup) == 0) return ok();
  // Older kernels (EINVAL), or a leader that already exited (ESRCH): the group still has the
  // leader's id, which cannot be reused while the leader is unreaped.
  if (::kill(-pid_, sig) != 0) return fail_errno("signal group " + std::to_string(pid_));
  return ok();
}

Result<std::optional<ExitStatus>> Child::try_wait() {
  if (reaped_) return fail("wait pid " + std::to_string(pid_) + ": already reaped", ECHILD);
  siginfo_t info{};
  if (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG) < 0) {
    if (errno == EINTR) return std::optional<ExitStatus>{};
    return fail_errno("waitid pid " + std::to_string(pid_));
  }
  if (info.si_pid == 0) return std::optional<ExitStatus>{};
  reaped_ = true;
  return std::optional<ExitStatus>{status_of(info)};
}

Result<ExitStatus> Child::wait() {
  if (reaped_) return fail("wait pid " + std::to_string(pid_) + ": already reaped", ECHILD);
  siginfo_t info{};
  while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED) < 0) {
    if (errno != EINTR) return fail_errno("waitid pid " + std::to_string(pid_));
  }
  reaped_ = true;
  return status_of(info);
}

void Child::release() {
  reaped_ = true;
  pidfd_.reset();
}

Result<void> new_session() {
  if (::setsid() >= 0) return ok();
  if (errno != EPERM) return fail_errno("setsid");
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!tty) {
    if (errno == ENXIO) return ok();  // no controlling terminal to leave
    return fail_errno("open '/dev/tty'");
  }
  if (::ioctl(tty.get(), TIOCNOTTY) != 0) return fail_errno("leave the controlling terminal");
  return ok();
}

Result<Pipe> make_pipe(int extra_flags) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) != 0) return fail_errno("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<CommandOutput> run_and_capture(const SpawnOptions& options, const CaptureOptions& capture) {
  using Clock = std::chrono::steady_clock;
  EMP_TRY(Pipe out, make_pipe());
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull) return fail_errno("open '/dev/null'");
  SpawnOptions o = options;
  o.fds.insert(o.fds.end(), {{devnull.get(), 0}, {out.write.get(), 1}, {out.write.get(), 2}});
  // Its own process group: a timeout or a cancel kills what it started in the background too.
  o.new_session = true;
  EMP_TRY(Child child, Child::spawn(o));
  out.write.reset();

  CommandOutput result;
  const auto deadline = Clock::now() + capture.timeout;
  std::optional<Clock::time_point> drain_until;  // set when the command has exited
  // [0] the output, [1] the command's pidfd, then the cancel watches; -1 is skipped by poll.
  std::vector<pollfd> fds{{out.read.get(), POLLIN, 0}, {child.pidfd(), POLLIN, 0}};
  for (const auto& w : capture.cancel) fds.push_back({w.fd, POLLIN, 0});
  char buf[4096];
  bool stop_group = false;
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      stop_group = true;
      break;
    }
    if (drain_until && (fds[0].fd < 0 || now >= *drain_until)) break;
    const auto until = drain_until ? std::min(deadline, *drain_until) : deadline;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    const int r = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()) + 1);
    if (r < 0 && errno != EINTR) return fail_errno("poll");
    if (r <= 0) continue;
    if (fds[0].revents != 0) {
      const ssize_t n = ::read(out.read.get(), buf, sizeof buf);
      if (n < 0 && errno != EINTR && errno != EAGAIN) return fail_errno("read command output");
      if (n == 0) fds[0].fd = -1;  // EOF: every writer (the command and its children) is gone
      if (n > 0) {
        result.output.append(buf, static_cast<size_t>(n));
        if (result.output.size() > capture.limit)
          result.output.erase(0, result.output.size() - capture.limit);
      }
    }
    if (fds[1].revents != 0) {
      fds[1].fd = -1;
      drain_until = Clock::now() + capture.grace;
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      auto verdict = capture.cancel[i - 2].on_ready();
      if (verdict.kind == CancelWatch::Verdict::Ignore) fds[i].fd = -1;
      if (verdict.kind == CancelWatch::Verdict::Cancel) {
        result.cancelled = verdict.reason.empty() ? "cancelled" : verdict.reason;
        stop_group = true;
        break;
      }
    }
    if (!result.cancelled.empty()) break;
  }
  if (stop_group) (void)child.signal_group(SIGKILL);
  EMP_TRY(result.status, child.wait());
  return result;
}

Result<CommandOutput> run_and_capture(const SpawnOptions& options, std::chrono::milliseconds timeout,
                                      size_t limit) {
  CaptureOptions capture;
  capture.timeout = timeout;
  capture.limit = limit;
  return run_and_capture(options, capture);
}

}  // namespace emp::sys
