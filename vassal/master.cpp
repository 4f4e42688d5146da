#include "vassal/master.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "config/spec_json.h"
#include "sys/child.h"
#include "sys/epoll.h"
#include "sys/signal_fd.h"
#include "vassal/memory.h"
#include "vassal/respawn.h"

namespace emp::vassal {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;

constexpr Millis kHeartbeatEvery{1'000};
constexpr uint64_t kTokenSignals = 1, kTokenChannel = 2, kTokenBridge = 3;

int64_t unix_ms_now() {
  return duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string seconds_text(Millis d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

struct Worker {
  size_t slot = 0;  // 0-based; EMPEROR_WORKER is slot + 1
  std::optional<sys::Child> process;
  Clock::time_point started{};
  int64_t since_unix_ms = 0;
  uint64_t generation = 0;
  uint32_t young_deaths = 0;
  uint64_t respawns = 0;
  bool ever_ran_long = false;
  bool retiring = false;  // terminate, then drop the slot
  std::optional<Clock::time_point> respawn_at;
  std::optional<Clock::time_point> kill_at;

  bool alive() const { return process.has_value(); }
};

}  // namespace

struct Master::Impl {
  MasterOptions options;
  config::VassalSpec spec;
  sys::Epoll epoll;
  sys::SignalFd signals;
  std::vector<Worker> workers;
  uint64_t generation = 0;
  bool stopping = false;
  bool reload_pending = false;
  int exit_code = 0;
  std::optional<Clock::time_point> stop_deadline;
  Clock::time_point next_heartbeat = Clock::now();
  std::string last_worker_exit;
  bool heartbeat_dirty = true;

  Impl(MasterOptions o, sys::Epoll e, sys::SignalFd s)
      : options(std::move(o)), spec(options.spec), epoll(std::move(e)), signals(std::move(s)) {}

  void log(const std::string& line) {
    // The vassal's stderr reaches the emperor's log pipeline, tagged with the vassal's name.
    std::fprintf(stderr, "vassal: %s\n", line.c_str());
  }

  void send(const Message& m) {
    if (!options.channel || !options.channel->open()) return;
    auto sent = options.channel->send(m);
    if (!sent) log(sent.error().message);
  }

  uint64_t processes() const { return spec.processes.value_or(config::kDefaultProcesses); }

  std::vector<std::string> worker_env(size_t slot) const {
    std::vector<std::string> env = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/",
        "EMPEROR_VASSAL=" + spec.name, "EMPEROR_WORKER=" + std::to_string(slot + 1)};
    for (const auto& e : spec.env) env.push_back(e);
    return env;
  }

  void spawn(Worker& w) {
    w.respawn_at.reset();
    w.kill_at.reset();
    sys::SpawnOptions o;
    o.argv = {"/bin/sh", "-c", spec.command.value_or("")};
    o.env = worker_env(w.slot);
    o.death_signal = SIGKILL;  // no worker outlives its master
    if (spec.chdir) o.cwd = *spec.chdir;
    auto child = sys::Child::spawn(o);
    if (!child) {
      fatal("EXEC", "start worker " + std::to_string(w.slot + 1) + ": " + child.error().message);
      return;
    }
    w.process = std::move(*child);
    w.started = Clock::now();
    w.since_unix_ms = unix_ms_now();
    w.generation = generation;
    heartbeat_dirty = true;
  }

  void terminate(Worker& w, Millis mercy) {
    if (!w.alive()) return;
    (void)w.process->signal(SIGTERM);
    w.kill_at = Clock::now() + mercy;
  }

  void fatal(const std::string& step, const std::string& message) {
    log("fatal: " + message);
    send(ErrorMessage{step, message});
    exit_code = 1;
    begin_stop();
  }

  void begin_stop() {
    if (stopping) return;
    stopping = true;
    const Millis mercy = spec.reload_mercy.value_or(config::kDefaultReloadMercy);
    stop_deadline = Clock::now() + mercy;
    for (auto& w : workers) {
      w.respawn_at.reset();
      terminate(w, mercy);
    }
  }

  // (Re)applies the pool size: new slots start, extra slots retire.
  void resize_pool() {
    const size_t want = static_cast<size_t>(processes());
    for (size_t i = workers.size(); i < want; ++i) {
      workers.push_back(Worker{});
      workers.back().slot = i;
      spawn(workers.back());
    }
    for (size_t i = want; i < workers.size(); ++i) {
      workers[i].retiring = true;
      workers[i].respawn_at.reset();
      terminate(workers[i], spec.worker_reload_mercy.value_or(config::kDefaultWorkerReloadMercy));
    }
  }

  void reload(config::VassalSpec next) {
    spec = std::move(next);
    ++generation;
    reload_pending = true;
    const Millis mercy = spec.worker_reload_mercy.value_or(config::kDefaultWorkerReloadMercy);
    for (auto& w : workers) {
      if (w.alive()) terminate(w, mercy);
      else if (!w.retiring) w.respawn_at = Clock::now();  // a slot waiting in backoff
    }
    resize_pool();
    log("reloading " + std::to_string(processes()) + " workers");
  }

  void check_reload_done() {
    if (!reload_pending || stopping) return;
    for (const auto& w : workers)
      if (!w.retiring && (!w.alive() || w.generation != generation)) return;
    reload_pending = false;
    send(ReloadedMessage{});
  }

  Worker* worker_by_pid(pid_t pid) {
    for (auto& w : workers)
      if (w.alive() && w.process->pid() == pid) return &w;
    return nullptr;
  }

  void on_worker_exit(Worker& w, const siginfo_t& info) {
    sys::ExitStatus status;
    if (info.si_code == CLD_EXITED) status.code = info.si_status;
    else status.signal = info.si_status;
    w.process->release();
    w.process.reset();
    w.kill_at.reset();
    heartbeat_dirty = true;
    const auto uptime = duration_cast<Millis>(Clock::now() - w.started);
    if (uptime >= kWorkerYoung) w.ever_ran_long = true;
    if (stopping) return;
    if (w.retiring) return;
    if (w.generation != generation) {  // replaced by a reload: back at once with the new spec
      spawn(w);
      return;
    }
    if (status.signal == 0 && looks_like_exec_failure(status.code, uptime, w.ever_ran_long)) {
      fatal("EXEC", "command '" + spec.command.value_or("") + "' could not run: /bin/sh " +
                        status.to_string() +
                        (status.code == 127 ? " (command not found)" : " (not executable)"));
      return;
    }
    const auto decision = next_respawn(uptime, w.young_deaths);
    w.young_deaths = decision.young_deaths;
    ++w.respawns;
    w.respawn_at = Clock::now() + decision.delay;
    last_worker_exit = "worker " + std::to_string(w.slot + 1) + " " + status.to_string() +
                       " after " + seconds_text(uptime) + "; respawn in " +
                       seconds_text(decision.delay);
    log(last_worker_exit);
  }

  void reap() {
    for (;;) {
      siginfo_t info{};
      if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG) != 0) return;  // ECHILD: no children
      if (info.si_pid == 0) return;  // children, none exited
      if (Worker* w = worker_by_pid(info.si_pid)) on_worker_exit(*w, info);
      // Anything else was an orphan reparented to us: reaping it is all PID 1 owes it.
    }
  }

  bool any_worker_alive() const {
    for (const auto& w : workers)
      if (w.alive()) return true;
    return false;
  }

  bool any_child_left() const {
    siginfo_t info{};
    return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
  }

  void kill_everything_left() {
    for (auto& w : workers)
      if (w.alive()) (void)w.process->signal(SIGKILL);
    // Only as PID 1 of our own pid namespace does kill(-1) mean "everyone in this vassal".
    if (options.pid1) ::kill(-1, SIGKILL);
  }

  void on_signal(int sig) {
    switch (sig) {
      case SIGCHLD: reap(); break;
      case SIGTERM:
      case SIGINT:
      case SIGQUIT: begin_stop(); break;
      case SIGHUP: if (!stopping) reload(spec); break;
      default:  // SIGUSR1, SIGUSR2, SIGWINCH: the workers' business
        for (auto& w : workers)
          if (w.alive()) (void)w.process->signal(sig);
    }
  }

  void on_channel() {
    for (;;) {
      auto in = options.channel->receive();
      if (!in) {
        // The emperor is gone or spoke garbage: either way nobody supervises us any more.
        log(in.error().message + "; stopping");
        options.channel->close();  // closing also drops it from epoll
        begin_stop();
        return;
      }
      if (!*in) return;
      if (std::holds_alternative<StopMessage>((*in)->message)) {
        begin_stop();
      } else if (auto* r = std::get_if<ReloadMessage>(&(*in)->message)) {
        auto next = config::vassal_from_json(r->spec_json, {});
        if (!next) log("reload refused: " + next.error().message);
        else if (!stopping) reload(std::move(*next));
      }
    }
  }

  void on_timers() {
    const auto now = Clock::now();
    for (auto& w : workers) {
      if (w.respawn_at && *w.respawn_at <= now && !stopping && !w.retiring) spawn(w);
      if (w.kill_at && *w.kill_at <= now && w.alive()) {
        log("worker " + std::to_string(w.slot + 1) + " outlived its mercy: SIGKILL");
        (void)w.process->signal(SIGKILL);
        w.kill_at.reset();
      }
    }
    if (stopping && stop_deadline && *stop_deadline <= now) {
      kill_everything_left();
      stop_deadline.reset();
    }
    if (now >= next_heartbeat) {
      heartbeat_dirty = true;
      next_heartbeat = now + kHeartbeatEvery;
    }
  }

  void drop_retired() {
    std::erase_if(workers, [](const Worker& w) { return w.retiring && !w.alive(); });
  }

  void send_heartbeat() {
    if (!heartbeat_dirty) return;
    heartbeat_dirty = false;
    HeartbeatMessage h;
    h.workers_target = processes();
    h.last_worker_exit = last_worker_exit;
    for (const auto& w : workers) {
      if (!w.alive()) continue;
      WorkerInfo info;
      info.pid = w.process->pid();
      info.since_unix_ms = w.since_unix_ms;
      info.respawns = w.respawns;
      if (auto mem = read_memory(w.process->pid())) {
        info.rss_bytes = mem->rss_bytes;
        info.pss_bytes = mem->pss_bytes;
      }
      h.workers.push_back(info);
    }
    send(h);
  }

  Millis next_wait() const {
    auto deadline = next_heartbeat;
    for (const auto& w : workers) {
      if (w.respawn_at) deadline = std::min(deadline, *w.respawn_at);
      if (w.kill_at) deadline = std::min(deadline, *w.kill_at);
    }
    if (stop_deadline) deadline = std::min(deadline, *stop_deadline);
    return std::max(Millis{0}, duration_cast<Millis>(deadline - Clock::now()) + Millis{1});
  }

  bool done() const {
    if (!stopping) return false;
    if (any_worker_alive()) return false;
    if (spec.shutdown_wait_all.value_or(false) && any_child_left()) return false;
    return true;
  }

  int run() {
    resize_pool();
    send(ReadyMessage{});
    while (!done()) {
      auto events = epoll.wait(next_wait());
      if (!events) {
        log(events.error().message);
        return 1;
      }
      for (const auto& ev : *events) {
        if (ev.data.u64 == kTokenSignals) {
          auto sigs = signals.read_signals();
          if (sigs)
            for (int s : *sigs) on_signal(s);
        } else if (ev.data.u64 == kTokenChannel && options.channel && options.channel->open()) {
          if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_channel();
        } else if ((ev.data.u64 >> 32) == kTokenBridge && options.bridge) {
          const int fd = static_cast<int>(ev.data.u64 & 0xffffffff);
          if (auto pumped = options.bridge->on_ready(fd, ev.events); !pumped) {
            // The router went away: the vassal keeps serving what it can without a network.
            log("tuntap bridge: " + pumped.error().message);
            for (int bfd : options.bridge->fds()) epoll.remove(bfd);
            options.bridge.reset();
          }
        }
      }
      reap();  // SIGCHLD may coalesce; a pass here costs one syscall
      on_timers();
      drop_retired();
      check_reload_done();
      send_heartbeat();
    }
    reap();
    return exit_code;
  }
};

Result<std::unique_ptr<Master>> Master::create(MasterOptions options) {
  if (!options.pid1 && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    return fail_errno("prctl PR_SET_CHILD_SUBREAPER");
  EMP_TRY(auto signals, sys::SignalFd::create({SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1,
                                               SIGUSR2, SIGWINCH}));
  EMP_TRY(auto epoll, sys::Epoll::create());
  EMP_CHECK(epoll.add(signals.fd(), EPOLLIN, kTokenSignals));
  if (options.channel && options.channel->open())
    EMP_CHECK(epoll.add(options.channel->fd(), EPOLLIN, kTokenChannel));
  if (options.bridge)
    for (int fd : options.bridge->fds())
      EMP_CHECK(epoll.add(fd, tuntap::UwsgiBridge::kEpollEvents,
                          (kTokenBridge << 32) | static_cast<uint32_t>(fd)));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(epoll), std::move(signals));
  return std::unique_ptr<Master>(new Master(std::move(impl)));
}

Master::Master(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Master::~Master() = default;
int Master::run() { return impl_->run(); }

}  // namespace emp::vassal
