#include "sys/child.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <optional>

#include "sys/fd_slots.h"

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
constexpr int kReportUnshare = 4;  // close_range(CLOSE_RANGE_UNSHARE) refused: copy instead

// pidfd_send_signal flag (Linux 6.9): signal the target's process group.
constexpr unsigned kPidfdSignalProcessGroup = 1u << 2;

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// What the child of spawn() works from: prepared by the parent, read by the child, which
// shares the parent's memory (CLONE_VM) until it execs. `report` is the one thing the child
// writes there: the step that failed before exec.
struct ChildPlan {
  const std::vector<std::pair<int, int>>* moves;  // (staged fd, target)
  const SpawnOptions* options;
  char** argv;
  char* const* env;
  int exec_fd;
  const std::vector<std::string>* programs;  // the paths to try, in order
  char* listen_pid;  // nullptr, or the digits of "LISTEN_PID=" to fill in
  // > 0: the child shares our fd table (CLONE_FILES) and first unshares the fds below this
  // number (the staged ones are among them: FdSlots), then lifts each staged fd to
  // lift_floor or above, clear of every target, before its dup2s.
  unsigned unshare_below;
  int lift_floor;
  SpawnReport report;
};

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::string_view kListenPid = "LISTEN_PID=";

// Writes `value` in decimal at `out` (room for 11 bytes and a NUL): no allocation, no locale.
void format_pid(pid_t value, char* out) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

// The paths to try for argv[0], as execvp would try them, and the PATH they come from
// (empty when argv[0] is tried as it is).
struct ProgramSearch {
  std::vector<std::string> candidates;
  std::string path;
};

ProgramSearch programs_to_try(const SpawnOptions& o) {
  const std::string& name = o.argv[0];
  if (!o.search_path || name.find('/') != std::string::npos) return {{name}, {}};
  ProgramSearch s{{}, kDefaultPath};
  if (o.env) {
    for (const auto& e : *o.env)
      if (e.compare(0, 5, "PATH=") == 0) s.path = e.substr(5);
  } else if (const char* p = std::getenv("PATH")) {
    s.path = p;
  }
  size_t start = 0;
  for (;;) {
    const size_t colon = s.path.find(':', start);
    const std::string dir = s.path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    s.candidates.push_back(dir.empty() ? name : dir + "/" + name);  // empty: the current directory
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return s;
}

// The child, on its own small stack in the parent's memory: async-signal-safe calls only,
// then exec. A failure is recorded in plan->report and ends the child with 127.
int child_main(void* arg) {
  auto* plan = static_cast<ChildPlan*>(arg);
  const SpawnOptions& o = *plan->options;
  auto fail_step = [plan](int step, int detail) {
    plan->report = SpawnReport{step, errno, detail};
    ::_exit(127);
  };
  // Handlers were copied from the parent and would run on its memory: back to defaults
  // before any signal can be delivered (they are all blocked until the exec).
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler != SIG_DFL &&
        current.sa_handler != SIG_IGN) {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      ::sigaction(sig, &dfl, nullptr);
    }
  }
  int exec_fd = plan->exec_fd;
  int lifted[FdSlots::kCount];
  const size_t count = plan->moves->size();
  if (plan->unshare_below > 0) {
    // Nothing of the shared table may change before this: it is still the parent's.
    if (::syscall(SYS_close_range, plan->unshare_below, ~0u, CLOSE_RANGE_UNSHARE) != 0)
      fail_step(kReportUnshare, 0);
    for (size_t i = 0; i < count; ++i) {
      lifted[i] = ::fcntl((*plan->moves)[i].first, F_DUPFD_CLOEXEC, plan->lift_floor);
      if (lifted[i] < 0) fail_step(kReportDup, (*plan->moves)[i].second);
    }
    if (exec_fd >= 0 && (exec_fd = ::fcntl(exec_fd, F_DUPFD_CLOEXEC, plan->lift_floor)) < 0)
      fail_step(kReportDup, plan->exec_fd);
  }
  for (size_t i = 0; i < count; ++i) {
    const auto [staged, to] = (*plan->moves)[i];
    if (::dup2(plan->unshare_below > 0 ? lifted[i] : staged, to) < 0) fail_step(kReportDup, to);
  }
  if (o.death_signal != 0) ::prctl(PR_SET_PDEATHSIG, o.death_signal);
  if (o.new_session) ::setsid();
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) fail_step(kReportChdir, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (plan->listen_pid) format_pid(::getpid(), plan->listen_pid);
  if (exec_fd >= 0) {
    ::syscall(SYS_execveat, exec_fd, "", plan->argv, plan->env, AT_EMPTY_PATH);
    fail_step(kReportExec, 0);
  }
  bool denied = false;
  for (const auto& program : *plan->programs) {
    ::execve(program.c_str(), plan->argv, plan->env);
    if (errno == EACCES) {
      denied = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
      break;  // it exists and cannot run: that is the answer
    }
  }
  if (denied && (errno == ENOENT || errno == ENOTDIR)) errno = EACCES;
  fail_step(kReportExec, 0);
  return 127;
}

// The child's stack, one per thread and kept for the next spawn: with CLONE_VFORK the child
// has exec'd or exited (and is off this stack) before clone returns. Keeping it spares each
// spawn an mmap, the first-touch faults and a munmap, whose TLB shootdown reaches every CPU
// the child ran on (4% of the emperor's CPU while it starts 500 vassals, measured here).
class ChildStack {
 public:
  static constexpr size_t kSize = 256 * 1024;
  ChildStack() = default;
  ~ChildStack() {
    if (base_ != MAP_FAILED) ::munmap(base_, kSize);
  }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;

  // The top of the stack (stacks grow down), mapped on first use; nullptr with errno set.
  void* top() {
    if (base_ == MAP_FAILED)
      base_ = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    return base_ == MAP_FAILED ? nullptr : static_cast<char*>(base_) + kSize;
  }

  static ChildStack& of_this_thread() {
    static thread_local ChildStack stack;
    return stack;
  }

 private:
  void* base_ = MAP_FAILED;
};

// Every signal blocked in the calling thread for a scope: the child starts with that mask.
class BlockAllSignals {
 public:
  BlockAllSignals() {
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &saved_);
  }
  ~BlockAllSignals() { ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  BlockAllSignals(const BlockAllSignals&) = delete;
  BlockAllSignals& operator=(const BlockAllSignals&) = delete;

 private:
  sigset_t saved_;
};

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

// The child shares our memory and we sleep until it has exec'd (CLONE_VM | CLONE_VFORK, as
// posix_spawn does): nothing of the caller's address space is copied, which matters on a
// machine where every copy-on-write fault is dear (a fork of a 12 MB process plus the
// faults after it: 69 ms in a VM here, 2.5 ms this way).
Result<Child> Child::spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return fail("spawn: empty argv");
  if (o.clone_flags >> 32) return fail("spawn '" + o.argv[0] + "': clone flags beyond clone(2)'s 32 bits");
  // Everything the child touches is prepared here, before clone.
  std::vector<char*> argv = c_strings(o.argv);
  std::vector<char*> envp;
  if (o.env) {
    envp = c_strings(*o.env);
  } else if (o.listen_pid_env) {
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    envp.push_back(nullptr);
  }
  // "LISTEN_PID=" and room for the digits, which the child writes; it replaces any other.
  std::string listen_pid(kListenPid.size() + 16, '\0');
  listen_pid.replace(0, kListenPid.size(), kListenPid);
  if (o.listen_pid_env) {
    std::erase_if(envp, [](const char* e) { return e && std::string_view(e).starts_with(kListenPid); });
    envp.insert(envp.end() - 1, listen_pid.data());
  }
  char** env = envp.empty() ? environ : envp.data();
  const ProgramSearch search = programs_to_try(o);
  void* const stack_top = ChildStack::of_this_thread().top();
  if (!stack_top) return fail_errno("spawn '" + o.argv[0] + "': child stack");

  // The fds the child gets go into the low slots when they fit (sys/fd_slots.h): the child
  // then copies a few dozen table entries instead of all of ours. Otherwise, or when the
  // kernel refuses the unshare, they are staged above kStagingFloor and the child gets a
  // copy of the whole table, closed again by O_CLOEXEC at its exec.
  std::unique_lock<std::mutex> slots_lock;
  const size_t handed = o.fds.size() + (o.exec_fd >= 0 ? 1 : 0);
  FdSlots* slots = handed <= FdSlots::kCount ? FdSlots::acquire(slots_lock) : nullptr;
  for (;;) {
    std::vector<UniqueFd> staged;            // the copy path's duplicates
    std::vector<std::pair<int, int>> moves;  // (staged fd, target)
    int exec_staged = -1;
    if (slots) {
      bool filled = true;
      for (const auto& [from, to] : o.fds) {
        if (!(filled = slots->fill(moves.size(), from))) break;
        moves.emplace_back(slots->slot(moves.size()), to);
      }
      if (filled && o.exec_fd >= 0 && (filled = slots->fill(moves.size(), o.exec_fd)))
        exec_staged = slots->slot(moves.size());
      if (!filled) {
        slots->clear_all();
        slots = nullptr;
        moves.clear();
        exec_staged = -1;
      }
    }
    if (!slots) {
      for (const auto& [from, to] : o.fds) {
        UniqueFd copy(::fcntl(from, F_DUPFD_CLOEXEC, kStagingFloor));
        if (!copy) return fail_errno("spawn '" + o.argv[0] + "': dup fd " + std::to_string(from));
        moves.emplace_back(copy.get(), to);
        staged.push_back(std::move(copy));
      }
      // The program's fd is staged too: a dup2 above could land on its number.
      if (o.exec_fd >= 0) {
        staged.emplace_back(::fcntl(o.exec_fd, F_DUPFD_CLOEXEC, kStagingFloor));
        if (!staged.back()) return fail_errno("spawn '" + o.argv[0] + "': dup program fd");
        exec_staged = staged.back().get();
      }
    }
    int lift_floor = slots ? static_cast<int>(slots->keep_below()) : 0;
    for (const auto& [from, to] : moves) lift_floor = std::max(lift_floor, to + 1);

    ChildPlan plan{&moves, &o, argv.data(), env, exec_staged, &search.candidates,
                   o.listen_pid_env ? listen_pid.data() + kListenPid.size() : nullptr,
                   slots ? slots->keep_below() : 0u, lift_floor, SpawnReport{}};
    int pidfd = -1;
    // clone(2), not clone3: glibc's wrapper runs child_main on the new stack, and seccomp
    // filters can inspect its flags (a filter that cannot see clone3's answers ENOSYS).
    const uint64_t files = slots ? CLONE_FILES : 0;
    const int flags = static_cast<int>(CLONE_VM | CLONE_VFORK | CLONE_PIDFD | files | o.clone_flags) | SIGCHLD;
    pid_t pid;
    {
      BlockAllSignals blocked;
      pid = ::clone(child_main, stack_top, flags, &plan, &pidfd);
    }
    // Here the child has exec'd, or stopped before and left its report: the slots are ours.
    if (slots) slots->clear_all();
    if (pid < 0) return fail_errno("clone '" + o.argv[0] + "'");
    Child child(pid, UniqueFd(pidfd));
    if (plan.report.step == 0) return child;
    (void)child.wait();
    if (plan.report.step == kReportUnshare && slots) {
      slots->turn_off();
      slots = nullptr;
      continue;
    }
    errno = plan.report.error;
    switch (plan.report.step) {
      case kReportDup: return fail_errno("spawn '" + o.argv[0] + "': dup2 to fd " + std::to_string(plan.report.detail));
      case kReportChdir: return fail_errno("chdir '" + o.cwd + "'");
      default:
        if (!search.path.empty())
          return fail_errno("execve '" + o.argv[0] + "' (looked for in PATH " + search.path + ")");
        return fail_errno("execve '" + o.argv[0] + "'");
    }
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
