#include "vassal/master.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <vector>

#include "config/command_line.h"
#include "config/spec_json.h"
#include "sys/child.h"
#include "sys/epoll.h"
#include "sys/file_io.h"
#include "sys/signal_fd.h"
#include "vassal/activation.h"
#include "vassal/heartbeat_news.h"
#include "vassal/memory.h"
#include "vassal/notify.h"
#include "vassal/pool.h"
#include "vassal/respawn.h"

namespace emp::vassal {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;

// Pool decisions, memory samples and heartbeats share one beat.
constexpr Millis kDecisionEvery{1'000};
// Between beats, the backlog algorithm looks at the listen queue this often: a sudden load
// (the last decision saw none) is decided on at once rather than at the next beat, and the
// beat restarts from there, so the pool still changes at most once a second.
constexpr Millis kBacklogSampleEvery{100};
// A chained reload waits this long for a replacement that does not use NOTIFY_SOCKET.
constexpr Millis kReadyGrace{1'000};
// A worker that missed its watchdog gets SIGABRT (a core to look at), then this, SIGKILL.
constexpr Millis kWatchdogKillAfter{5'000};
// How far up from a notification's sender we look for the worker it belongs to.
constexpr int kAncestorLevels = 4;
constexpr int kNotifyBatch = 256;
// "running" is reported once the first workers have lived this long (or all sent READY=1):
// a command that cannot run (/bin/sh exit 126/127) fails within it, so `emperor start`
// reports the failure instead of a success that lasts milliseconds.
constexpr Millis kStartSettle{150};
// reload-on-rss below what a fresh worker takes would recycle it every second forever: after
// this many recycles in a row of workers younger than kRssYoung, the master warns once and
// recycles for RSS only workers that have run kRssRecycleBackoff.
constexpr uint32_t kRssRecyclesInARow = 3;
constexpr Millis kRssYoung{3'000};
constexpr Millis kRssRecycleBackoff{60'000};
constexpr uint64_t kTokenSignals = 1, kTokenChannel = 2, kTokenBridge = 3, kTokenNotify = 4;

int64_t unix_ms_now() {
  return duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string seconds_text(Millis d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

const char* algo_name(const PoolConfig& c) {
  if (!c.cheaper) return "";
  switch (c.algo) {
    case config::CheaperAlgo::Backlog:
      return "backlog";
    case config::CheaperAlgo::Spare:
      return "spare";
    case config::CheaperAlgo::Manual:
      return "manual";
  }
  return "";
}

struct Worker {
  // Serve: respawned (with backoff) when it dies. Recycle: on its way out, replaced at
  // once. Retire: on its way out, and its slot goes with it.
  enum class Fate { Serve, Recycle, Retire };

  uint64_t id = 0;    // unique for the master's life
  uint64_t slot = 1;  // EMPEROR_WORKER
  std::optional<sys::Child> process;
  Clock::time_point started{};
  int64_t since_unix_ms = 0;
  uint64_t generation = 0;
  uint32_t young_deaths = 0;
  uint64_t respawns = 0;
  bool ever_ran_long = false;
  Fate fate = Fate::Serve;
  std::optional<Clock::time_point> respawn_at;
  std::optional<Clock::time_point> kill_at;
  MemoryUsage memory;
  // readiness protocol, reset at each spawn
  bool spoke = false;
  bool ready = false;
  bool busy = false;
  std::string status;
  std::optional<Clock::time_point> last_watchdog;
  int64_t watchdog_unix_ms = 0;

  bool alive() const { return process.has_value(); }
  bool member() const { return fate != Fate::Retire; }
  bool serving() const { return alive() && fate == Fate::Serve; }
  std::string name() const {
    return "worker " + std::to_string(slot) +
           (alive() ? " (pid " + std::to_string(process->pid()) + ")" : "");
  }
};

// reload-lazy = chain: one old worker at a time is replaced by a new one, retired only
// once its replacement is ready, so the pool never stops accepting.
struct Chain {
  std::deque<uint64_t> pending;  // ids of old workers, in slot order
  std::optional<uint64_t> old_id, new_id;
  Clock::time_point deadline{};
};

}  // namespace

struct Master::Impl {
  MasterOptions options;
  config::VassalSpec spec;
  PoolConfig pool;
  PoolState pool_state;
  sys::Epoll epoll;
  sys::SignalFd signals;
  std::vector<Worker> workers;
  uint64_t next_id = 1;
  uint64_t generation = 0;
  bool stopping = false;
  bool reload_pending = false;
  std::optional<Chain> chain;
  bool notify_users = false;  // a worker sent READY=1: replacements are awaited for theirs
  int64_t manual_delta = 0;
  int exit_code = 0;
  std::optional<Clock::time_point> stop_deadline;
  Clock::time_point next_beat = Clock::now() + kDecisionEvery;
  Clock::time_point next_sample = Clock::now() + kBacklogSampleEvery;
  // The last decision saw an overloaded backlog: it is not news, the next beat will do.
  bool last_overloaded = false;
  std::string last_worker_exit;
  std::string last_decision;
  std::string hold_kind;
  std::optional<uint64_t> backlog;
  bool backlog_error_logged = false;
  uint32_t young_rss_recycles = 0;  // reload-on-rss recycles in a row of workers < kRssYoung
  std::optional<Clock::time_point> ready_due;  // Ready not sent yet
  bool heartbeat_dirty = true;    // something changed: the next heartbeat goes out
  bool heartbeat_sampled = false;  // a beat sampled memory and backlog: send if it is news
  std::optional<HeartbeatMessage> last_heartbeat;
  Clock::time_point last_heartbeat_at{};

  Impl(MasterOptions o, sys::Epoll e, sys::SignalFd s)
      : options(std::move(o)),
        spec(options.spec),
        pool(PoolConfig::from(spec)),
        epoll(std::move(e)),
        signals(std::move(s)) {}

  // The master's own lines, with a syslog severity. Under the emperor they travel over the
  // channel as whole messages, so no worker's output can split or join them and
  // `journalctl -p warning` shows the crashes; standalone they go to stderr.
  static constexpr int kInfo = 6, kWarning = 4, kError = 3;
  void log(const std::string& line, int level = kInfo) {
    if (options.worker_output && options.channel && options.channel->open()) {
      if (options.channel->send(LogMessage{level, "vassal: " + line})) return;
    }
    std::fprintf(stderr, "vassal: %s\n", line.c_str());
  }
  void log_warning(const std::string& line) { log(line, kWarning); }
  void log_error(const std::string& line) { log(line, kError); }

  // True when the message went out on the channel.
  bool send(const Message& m) {
    if (!options.channel || !options.channel->open()) return false;
    auto sent = options.channel->send(m);
    if (!sent) std::fprintf(stderr, "vassal: %s\n", sent.error().message.c_str());
    return sent.has_value();
  }

  Millis worker_mercy() const {
    return spec.worker_reload_mercy.value_or(config::kDefaultWorkerReloadMercy);
  }

  Worker* by_id(uint64_t id) {
    for (auto& w : workers)
      if (w.id == id) return &w;
    return nullptr;
  }

  Worker* by_pid(pid_t pid) {
    for (auto& w : workers)
      if (w.alive() && w.process->pid() == pid) return &w;
    return nullptr;
  }

  uint64_t members() const {
    return static_cast<uint64_t>(
        std::count_if(workers.begin(), workers.end(), [](const Worker& w) { return w.member(); }));
  }

  // The lowest slot no member holds: a pool that shrank and grows again reuses 1..N.
  uint64_t free_slot() const {
    for (uint64_t s = 1;; ++s) {
      const bool taken = std::any_of(workers.begin(), workers.end(),
                                     [s](const Worker& w) { return w.member() && w.slot == s; });
      if (!taken) return s;
    }
  }

  Worker& add_worker(uint64_t slot) {
    Worker w;
    w.id = next_id++;
    w.slot = slot;
    w.generation = generation;
    workers.push_back(std::move(w));
    return workers.back();
  }

  // --- spawning and signalling ---------------------------------------------------------

  void spawn(Worker& w) {
    w.respawn_at.reset();
    w.kill_at.reset();
    w.fate = Worker::Fate::Serve;
    w.spoke = w.ready = w.busy = false;
    w.status.clear();
    w.last_watchdog.reset();
    w.watchdog_unix_ms = 0;
    w.memory = {};
    WorkerEnvInput env;
    env.vassal = spec.name;
    env.slot = w.slot;
    env.spec_env = spec.env;
    for (const auto& s : options.sockets) env.sockets.push_back(s.address);
    if (options.notify) env.notify_socket = options.notify->address();
    env.watchdog = spec.worker_watchdog;
    sys::SpawnOptions o;
    o.argv = config::command_argv(spec.command.value_or(""));
    o.search_path = true;
    o.listen_pid_env = !options.sockets.empty();
    o.env = worker_env(env);
    for (size_t i = 0; i < options.sockets.size(); ++i)
      o.fds.emplace_back(options.sockets[i].fd.get(), kFirstListenFd + static_cast<int>(i));
    o.death_signal = SIGKILL;  // no worker outlives its master
    if (spec.chdir) o.cwd = *spec.chdir;
    // Under the emperor each worker writes to pipes of its own: a line it leaves unfinished
    // when it dies stays its own (flushed at the pipe's EOF), never glued to another's.
    std::optional<sys::Pipe> out, err;
    if (options.worker_output && options.channel && options.channel->open()) {
      auto o1 = sys::make_pipe();
      auto o2 = sys::make_pipe();
      if (!o1 || !o2) {
        fatal("EXEC", "start worker " + std::to_string(w.slot) + ": output pipes: " +
                          (!o1 ? o1.error() : o2.error()).message);
        return;
      }
      out = std::move(*o1);
      err = std::move(*o2);
      o.fds.emplace_back(out->write.get(), STDOUT_FILENO);
      o.fds.emplace_back(err->write.get(), STDERR_FILENO);
    }
    auto child = sys::Child::spawn(o);
    if (!child) {
      const std::string what = "command '" + spec.command.value_or("") + "' could not run: " +
                               child.error().message + " (worker " + std::to_string(w.slot) + ")";
      // The command has served before: its program may be mid-deploy, so the slot retries
      // with backoff, as after a crash. Never having run, the vassal cannot work as configured.
      const bool served = std::any_of(workers.begin(), workers.end(),
                                      [](const Worker& x) { return x.ever_ran_long; });
      if (served) {
        schedule_respawn(w, Millis{0}, what);
      } else {
        fatal("EXEC", what);
      }
      return;
    }
    if (out && err) {
      // Our write ends close when `out` and `err` go: EOF then means the worker's side is done.
      auto sent = options.channel->send(WorkerOutputMessage{child->pid(), w.slot},
                                        {out->read.get(), err->read.get(), child->pidfd()});
      if (!sent)
        std::fprintf(stderr, "vassal: worker %llu output: %s\n",
                     static_cast<unsigned long long>(w.slot), sent.error().message.c_str());
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
    heartbeat_dirty = true;
  }

  // Graceful: SIGTERM, worker-reload-mercy, SIGKILL. A member waiting to respawn just goes.
  void retire(Worker& w, const std::string& why) {
    w.fate = Worker::Fate::Retire;
    w.respawn_at.reset();
    log(w.name() + " retired: " + why);
    terminate(w, worker_mercy());
  }

  void recycle(Worker& w, const std::string& why) {
    w.fate = Worker::Fate::Recycle;
    log(w.name() + " recycled: " + why);
    terminate(w, worker_mercy());
  }

  void fatal(const std::string& step, const std::string& message) {
    // The channel's reader reports the error. Under the emperor the vassal's own log gets the
    // line too (`emperor logs NAME`); `vassal FILE` prints what it reads, so once is enough.
    const bool reported = send(ErrorMessage{step, message});
    if (!reported || options.worker_output) log_error("fatal: " + message);
    exit_code = 1;
    begin_stop();
  }

  void begin_stop() {
    if (stopping) return;
    stopping = true;
    chain.reset();
    const Millis mercy = spec.reload_mercy.value_or(config::kDefaultReloadMercy);
    stop_deadline = Clock::now() + mercy;
    for (auto& w : workers) {
      w.respawn_at.reset();
      terminate(w, mercy);
    }
  }

  // --- pool size -----------------------------------------------------------------------

  void grow(uint64_t count) {
    for (uint64_t i = 0; i < count && !stopping; ++i) spawn(add_worker(free_slot()));
  }

  // Which member goes when the pool shrinks: one waiting to respawn costs nothing, then an
  // idle one with the highest slot, then the highest slot.
  Worker* shrink_candidate() {
    Worker* pick = nullptr;
    for (auto& w : workers)
      if (w.member() && !w.alive() && (!pick || w.slot > pick->slot)) pick = &w;
    if (pick) return pick;
    for (bool allow_busy : {false, true}) {
      for (auto& w : workers)
        if (w.serving() && (allow_busy || !w.busy) && (!pick || w.slot > pick->slot)) pick = &w;
      if (pick) return pick;
    }
    return nullptr;
  }

  void shrink(uint64_t count, const std::string& why) {
    for (uint64_t i = 0; i < count; ++i) {
      Worker* w = shrink_candidate();
      if (!w) return;
      retire(*w, why);
    }
  }

  // After a reload, the pool is brought within the new spec's bounds at once.
  void clamp_pool() {
    const uint64_t have = members();
    const uint64_t want = pool.cheaper ? std::clamp(have, pool.min, pool.max) : pool.max;
    if (want > have) grow(want - have);
    if (want < have) shrink(have - want, "the pool is now " + std::to_string(want));
  }

  // --- reload --------------------------------------------------------------------------

  void reload(config::VassalSpec next) {
    spec = std::move(next);
    pool = PoolConfig::from(spec);
    pool_state = {};
    young_rss_recycles = 0;  // perhaps a new reload-on-rss
    ++generation;
    reload_pending = true;
    chain.reset();
    const bool chained =
        spec.reload_lazy.value_or(config::ReloadLazy::All) == config::ReloadLazy::Chain;
    Chain c;
    for (auto& w : workers) {
      if (!w.member()) continue;
      if (!w.alive())
        w.respawn_at = Clock::now();  // a slot waiting in backoff: new spec now
      else if (chained)
        c.pending.push_back(w.id);
      else
        terminate(w, worker_mercy());  // respawned with the new spec when it exits
    }
    std::sort(c.pending.begin(), c.pending.end(),
              [this](uint64_t a, uint64_t b) { return by_id(a)->slot < by_id(b)->slot; });
    if (chained) chain = std::move(c);
    log(std::string(chained ? "chain-reloading " : "reloading ") + std::to_string(members()) +
        " workers");
    clamp_pool();
  }

  bool replacement_ready(const Worker& w, Clock::time_point now) const {
    if (!w.alive()) return false;
    if (w.ready) return true;
    // A program that never used NOTIFY_SOCKET cannot tell us: a short grace stands in.
    return !notify_users && now - w.started >= kReadyGrace;
  }

  void advance_chain() {
    if (!chain || stopping) return;
    const auto now = Clock::now();
    for (;;) {
      if (chain->new_id) {
        Worker* fresh = by_id(*chain->new_id);
        Worker* old = chain->old_id ? by_id(*chain->old_id) : nullptr;
        const bool timed_out = now >= chain->deadline;
        if (fresh && !timed_out && !replacement_ready(*fresh, now)) return;
        if (timed_out)
          log_warning("chain reload: worker " + std::to_string(fresh ? fresh->slot : 0) +
              " not ready after " + seconds_text(worker_mercy()) + ", going on");
        if (old && old->member()) retire(*old, "replaced by the reload");
        chain->old_id.reset();
        chain->new_id.reset();
      }
      if (chain->pending.empty()) {
        chain.reset();
        return;
      }
      const uint64_t id = chain->pending.front();
      chain->pending.pop_front();
      Worker* old = by_id(id);
      if (!old || !old->serving() || old->generation == generation) continue;
      const uint64_t slot = old->slot;
      chain->old_id = id;
      Worker& fresh = add_worker(slot);  // invalidates `old`
      chain->new_id = fresh.id;
      chain->deadline = now + worker_mercy();
      spawn(fresh);
      if (stopping) return;
    }
  }

  void check_reload_done() {
    if (!reload_pending || stopping || chain) return;
    for (const auto& w : workers)
      if (w.member() && (!w.alive() || w.generation != generation)) return;
    reload_pending = false;
    log("reload done");
    send(ReloadedMessage{});
  }

  // --- exits -----------------------------------------------------------------------------

  void on_worker_exit(Worker& w, const siginfo_t& info) {
    sys::ExitStatus status;
    if (info.si_code == CLD_EXITED)
      status.code = info.si_status;
    else
      status.signal = info.si_status;
    const std::string name = w.name();
    w.process->release();
    w.process.reset();
    w.kill_at.reset();
    w.ready = w.busy = false;
    heartbeat_dirty = true;
    const auto uptime = duration_cast<Millis>(Clock::now() - w.started);
    if (uptime >= kWorkerYoung) w.ever_ran_long = true;
    if (stopping) return;
    if (w.fate == Worker::Fate::Retire) return;
    if (chain && chain->old_id == w.id) {  // its replacement is already running
      w.fate = Worker::Fate::Retire;
      return;
    }
    if (w.fate == Worker::Fate::Recycle || w.generation != generation) {
      spawn(w);  // replaced on purpose: back at once (with the new spec after a reload)
      return;
    }
    // A program exec'd directly reports its own exec failure at the spawn; this is the shell's.
    if (status.signal == 0 && !config::plain_command_words(spec.command.value_or("")) &&
        looks_like_exec_failure(status.code, uptime, w.ever_ran_long)) {
      fatal("EXEC", "command '" + spec.command.value_or("") + "' could not run: /bin/sh " +
                        status.to_string() +
                        (status.code == 127 ? " (command not found)" : " (not executable)"));
      return;
    }
    schedule_respawn(w, uptime, name + " " + status.to_string() + " after " + seconds_text(uptime));
  }

  // The slot comes back after the backoff that this death (`uptime` after its start) earns.
  void schedule_respawn(Worker& w, Millis uptime, const std::string& what) {
    const auto decision = next_respawn(uptime, w.young_deaths);
    w.young_deaths = decision.young_deaths;
    ++w.respawns;
    w.respawn_at = Clock::now() + decision.delay;
    last_worker_exit = what + "; respawn in " + seconds_text(decision.delay);
    log_warning(last_worker_exit);
    heartbeat_dirty = true;
  }

  void reap() {
    for (;;) {
      siginfo_t info{};
      if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG) != 0) return;  // ECHILD: no children
      if (info.si_pid == 0) return;                                   // children, none exited
      if (Worker* w = by_pid(info.si_pid)) on_worker_exit(*w, info);
      // Anything else was an orphan reparented to us: reaping it is all PID 1 owes it.
    }
  }

  bool any_worker_alive() const {
    return std::any_of(workers.begin(), workers.end(), [](const Worker& w) { return w.alive(); });
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

  // --- inputs ----------------------------------------------------------------------------

  void on_signal(int sig) {
    switch (sig) {
      case SIGCHLD:
        reap();
        break;
      case SIGTERM:
      case SIGINT:
      case SIGQUIT:
        begin_stop();
        break;
      case SIGHUP:
        if (!stopping) reload(spec);
        break;
      case SIGTTIN:
      case SIGTTOU:
        // gunicorn's convention; with cheaper-algo = manual they size the pool.
        if (pool.cheaper && pool.algo == config::CheaperAlgo::Manual)
          manual_delta += sig == SIGTTIN ? 1 : -1;
        else
          log(std::string(sig == SIGTTIN ? "SIGTTIN" : "SIGTTOU") +
              " ignored: cheaper-algo is not manual");
        break;
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
        log_warning(in.error().message + "; stopping");
        options.channel->close();  // closing also drops it from epoll
        begin_stop();
        return;
      }
      if (!*in) return;
      if (std::holds_alternative<StopMessage>((*in)->message)) {
        begin_stop();
      } else if (auto* r = std::get_if<ReloadMessage>(&(*in)->message)) {
        auto next = config::vassal_from_json(r->spec_json, {});
        if (!next)
          log_error("reload refused: " + next.error().message);
        else if (!stopping)
          reload(std::move(*next));
      }
    }
  }

  // The worker a notification's sender belongs to: the worker itself, or a descendant of
  // it (a command run without `exec`).
  Worker* worker_of_sender(pid_t pid) {
    for (int level = 0; level <= kAncestorLevels && pid > 1; ++level) {
      if (Worker* w = by_pid(pid)) return w;
      auto stat = sys::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
      if (!stat) return nullptr;
      auto parent = parent_pid_from_stat(*stat);
      if (!parent) return nullptr;
      pid = *parent;
    }
    return nullptr;
  }

  void on_notify() {
    // A bounded batch: a flood (from anyone in the network namespace) cannot starve the
    // loop; epoll reports the rest at once.
    for (int batch = 0; batch < kNotifyBatch; ++batch) {
      auto in = options.notify->receive();
      if (!in) {
        log_warning(in.error().message);
        return;
      }
      if (!*in) return;
      Worker* w = (*in)->pid > 0 ? worker_of_sender((*in)->pid) : nullptr;
      if (!w) continue;  // not one of ours (or gone): the kernel-checked pid says so
      const NotifyUpdate u = parse_notify((*in)->text);
      if (!u.any) continue;
      const bool was_ready = w->ready;
      const std::string old_status = w->status;
      w->spoke = true;
      if (u.ready) w->ready = *u.ready;
      if (u.busy) w->busy = *u.busy;
      if (u.stopping) w->busy = false;
      if (u.status) w->status = *u.status;
      if (u.watchdog) {
        w->last_watchdog = Clock::now();
        w->watchdog_unix_ms = unix_ms_now();
      }
      if (w->ready && !was_ready) notify_users = true;
      // BUSY= flips at request rate: it travels with the next beat, not on its own.
      if (w->ready != was_ready || w->status != old_status) heartbeat_dirty = true;
      if (u.watchdog_trigger && w->serving()) replace_hung(*w, "it sent WATCHDOG=trigger");
    }
  }

  void replace_hung(Worker& w, const std::string& why) {
    log_warning(w.name() + " replaced: " + why);
    w.fate = Worker::Fate::Recycle;
    (void)w.process->signal(SIGABRT);
    w.kill_at = Clock::now() + kWatchdogKillAfter;
    heartbeat_dirty = true;
  }

  void check_watchdogs(Clock::time_point now) {
    if (!spec.worker_watchdog) return;
    for (auto& w : workers) {
      if (!w.serving() || !w.last_watchdog) continue;
      const auto silent = duration_cast<Millis>(now - *w.last_watchdog);
      if (silent > *spec.worker_watchdog)
        replace_hung(w, "no WATCHDOG=1 for " + seconds_text(silent) + " (worker-watchdog " +
                            seconds_text(*spec.worker_watchdog) + ")");
    }
  }

  // --- the beat: memory, recycling, the pool decision, the heartbeat ------------------------

  void sample_memory() {
    std::string report;
    uint64_t total = 0;
    for (auto& w : workers) {
      if (!w.alive()) continue;
      if (auto m = read_tree_memory(w.process->pid())) w.memory = *m;
      if (!w.member()) continue;
      total += w.memory.rss_bytes;
      if (spec.memory_report.value_or(false))
        report += (report.empty() ? "" : ", ") + w.name() + " rss " +
                  memory_text(w.memory.rss_bytes) + " pss " + memory_text(w.memory.pss_bytes);
    }
    if (!report.empty()) log("memory: " + report + "; total rss " + memory_text(total));
  }

  void sample_backlog() {
    backlog.reset();
    if (options.sockets.empty() || !options.backlog) return;
    auto q = options.backlog->queued(options.sockets);
    if (!q) {
      if (!backlog_error_logged) log_warning("backlog: " + q.error().message);
      backlog_error_logged = true;
      return;
    }
    backlog = *q;
  }

  // max-worker-lifetime and reload-on-rss: one worker per beat, so a pool started at once
  // does not recycle all at once.
  void recycle_one(Clock::time_point now) {
    for (auto& w : workers) {
      if (!w.serving()) continue;
      const auto uptime = duration_cast<Millis>(now - w.started);
      auto why = recycle_reason(uptime, w.memory.rss_bytes, spec);
      if (!why) continue;
      const bool for_rss = !(spec.max_worker_lifetime && uptime >= *spec.max_worker_lifetime);
      if (for_rss) {
        const bool backing_off = young_rss_recycles >= kRssRecyclesInARow;
        if (backing_off && uptime < kRssRecycleBackoff) continue;
        if (backing_off) {
          // until a reload: the limit is what it is
        } else if (uptime >= kRssYoung) {
          young_rss_recycles = 0;
        } else if (++young_rss_recycles == kRssRecyclesInARow) {
          log_warning("reload-on-rss " + memory_text(spec.reload_on_rss.value_or(0)) +
                      " is below what a fresh worker takes (" + w.name() + " rss " +
                      memory_text(w.memory.rss_bytes) + " after " + seconds_text(uptime) +
                      "): " + std::to_string(kRssRecyclesInARow) +
                      " recycles in a row; workers are now recycled for rss only after " +
                      seconds_text(kRssRecycleBackoff) + " (raise reload-on-rss)");
        }
      }
      recycle(w, *why);
      return;
    }
  }

  void decide_pool() {
    PoolSample sample;
    sample.members = members();
    std::vector<uint64_t> ids;
    for (const auto& w : workers) {
      if (!w.serving()) continue;
      sample.running.push_back({w.slot, w.memory.rss_bytes, w.busy});
      ids.push_back(w.id);
    }
    sample.backlog = backlog;
    sample.manual_delta = std::exchange(manual_delta, 0);
    const PoolDecision d = decide(pool, sample, pool_state);
    pool_state = d.next;
    using A = PoolDecision::Action;
    last_overloaded = backlog && *backlog > pool.overload;
    if (d.action != A::Hold || (d.hold_kind != hold_kind && !d.hold_kind.empty())) {
      log("pool: " + d.reason);
      last_decision = d.reason;
      heartbeat_dirty = true;
    }
    hold_kind = d.hold_kind;
    switch (d.action) {
      case A::Hold:
        break;
      case A::Grow:
        grow(d.count);
        break;
      case A::Shrink:
        shrink(d.count, "the pool shrinks");
        break;
      case A::RetireForMemory:
        if (Worker* w = by_id(ids[d.worker])) retire(*w, "over cheaper-rss-limit-hard");
        break;
    }
  }

  void beat(Clock::time_point now) {
    sample_memory();
    sample_backlog();
    // A chained reload sizes nothing until it is through; an all-at-once reload may.
    if (!stopping && !chain) {
      recycle_one(now);
      decide_pool();
    }
    heartbeat_sampled = true;
  }

  void on_timers() {
    const auto now = Clock::now();
    send_ready_when_settled(now);
    for (auto& w : workers) {
      if (w.respawn_at && *w.respawn_at <= now && !stopping && w.member()) spawn(w);
      if (w.kill_at && *w.kill_at <= now && w.alive()) {
        log_warning(w.name() + " outlived its mercy: SIGKILL");
        (void)w.process->signal(SIGKILL);
        w.kill_at.reset();
      }
    }
    check_watchdogs(now);
    if (stopping && stop_deadline && *stop_deadline <= now) {
      kill_everything_left();
      stop_deadline.reset();
    }
    if (now >= next_beat) {
      next_beat = now + kDecisionEvery;
      next_sample = now + kBacklogSampleEvery;
      beat(now);
    } else if (samples_between_beats() && now >= next_sample) {
      next_sample = now + kBacklogSampleEvery;
      sample_backlog();
      if (backlog && (*backlog > pool.overload || (*backlog > 0 && members() == 0))) {
        next_beat = now + kDecisionEvery;
        beat(now);
      }
    }
  }

  bool samples_between_beats() const {
    return pool.cheaper && pool.algo == config::CheaperAlgo::Backlog && !options.sockets.empty() &&
           !stopping && !chain && !last_overloaded && members() < pool.max;
  }

  void drop_retired() {
    std::erase_if(workers, [](const Worker& w) { return !w.member() && !w.alive(); });
  }

  static std::string state_of(const Worker& w) {
    if (w.fate != Worker::Fate::Serve || w.kill_at) return "retiring";
    if (!w.spoke) return "running";
    if (w.busy) return "busy";
    return w.ready ? "ready" : "starting";
  }

  void send_heartbeat() {
    if (!heartbeat_dirty && !heartbeat_sampled) return;
    const bool forced = std::exchange(heartbeat_dirty, false);
    heartbeat_sampled = false;
    HeartbeatMessage h = heartbeat();
    const auto now = Clock::now();
    if (!forced && last_heartbeat && !heartbeat_is_news(*last_heartbeat, h) &&
        now - last_heartbeat_at < kHeartbeatKeepalive)
      return;
    send(h);
    last_heartbeat = std::move(h);
    last_heartbeat_at = now;
  }

  HeartbeatMessage heartbeat() const {
    HeartbeatMessage h;
    h.workers_target = members();
    h.backlog = backlog;
    h.last_worker_exit = last_worker_exit;
    h.thunder_lock = options.sockets.empty() ? "none" : "wake-one";
    for (size_t i = 0; i < options.sockets.size(); ++i)
      h.sockets.push_back({kFirstListenFd + static_cast<int>(i), options.sockets[i].bound,
                           fd_name(options.sockets[i].address)});
    h.cheaper_algo = algo_name(pool);
    h.last_decision = last_decision;
    if (options.notify) h.notify_socket = options.notify->address();
    for (const auto& w : workers) {
      if (!w.alive()) continue;
      WorkerInfo info;
      info.pid = w.process->pid();
      info.rss_bytes = w.memory.rss_bytes;
      info.pss_bytes = w.memory.pss_bytes;
      info.since_unix_ms = w.since_unix_ms;
      info.respawns = w.respawns;
      info.slot = w.slot;
      info.state = state_of(w);
      info.status = w.status;
      info.watchdog_unix_ms = w.watchdog_unix_ms;
      h.workers.push_back(info);
    }
    return h;
  }

  Millis next_wait() const {
    auto deadline = next_beat;
    if (samples_between_beats()) deadline = std::min(deadline, next_sample);
    for (const auto& w : workers) {
      if (w.respawn_at) deadline = std::min(deadline, *w.respawn_at);
      if (w.kill_at) deadline = std::min(deadline, *w.kill_at);
      if (spec.worker_watchdog && w.last_watchdog && w.serving())
        deadline = std::min(deadline, *w.last_watchdog + *spec.worker_watchdog + Millis{1});
    }
    if (chain && chain->new_id) {
      deadline = std::min(deadline, chain->deadline);
      // Without READY=1 to wake us, the grace's end must.
      if (auto* fresh = const_cast<Impl*>(this)->by_id(*chain->new_id); fresh && !notify_users)
        deadline = std::min(deadline, fresh->started + kReadyGrace);
    }
    if (stop_deadline) deadline = std::min(deadline, *stop_deadline);
    if (ready_due) deadline = std::min(deadline, *ready_due);
    return std::max(Millis{0}, duration_cast<Millis>(deadline - Clock::now()) + Millis{1});
  }

  bool done() const {
    if (!stopping) return false;
    if (any_worker_alive()) return false;
    if (spec.shutdown_wait_all.value_or(false) && any_child_left()) return false;
    return true;
  }

  void start() {
    for (const auto& w : options.warnings) log_warning(w);
    for (const auto& s : options.sockets)
      log("socket '" + s.address.text + "' on fd " +
          std::to_string(kFirstListenFd + (&s - options.sockets.data())) + ": " + s.bound);
    if (pool.cheaper)
      log(std::string("cheaper ") + algo_name(pool) + ": " + std::to_string(pool.min) + ".." +
          std::to_string(pool.max) + " workers, starting with " + std::to_string(pool.initial));
    grow(pool.initial);
  }

  void send_ready_when_settled(Clock::time_point now) {
    if (!ready_due || stopping) return;
    bool all_ready = !workers.empty();
    for (const auto& w : workers) all_ready = all_ready && w.ready;
    if (now < *ready_due && !all_ready) return;
    ready_due.reset();
    send(ReadyMessage{});
  }

  int run() {
    start();
    ready_due = Clock::now() + kStartSettle;
    while (!done()) {
      auto events = epoll.wait(next_wait());
      if (!events) {
        log_error(events.error().message);
        return 1;
      }
      for (const auto& ev : *events) {
        if (ev.data.u64 == kTokenSignals) {
          auto sigs = signals.read_signals();
          if (sigs)
            for (int s : *sigs) on_signal(s);
        } else if (ev.data.u64 == kTokenChannel && options.channel && options.channel->open()) {
          if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_channel();
        } else if (ev.data.u64 == kTokenNotify && options.notify) {
          on_notify();
        } else if ((ev.data.u64 >> 32) == kTokenBridge && options.bridge) {
          const int fd = static_cast<int>(ev.data.u64 & 0xffffffff);
          if (auto pumped = options.bridge->on_ready(fd, ev.events); !pumped) {
            // The router went away: without its network the vassal would only half work,
            // unseen. It fails visibly, as a native vassal the router refuses does.
            for (int bfd : options.bridge->fds()) epoll.remove(bfd);
            options.bridge.reset();
            fatal("NETNS", "tuntap bridge: " + pumped.error().message);
          }
        }
      }
      reap();  // SIGCHLD may coalesce; a pass here costs one syscall
      on_timers();
      advance_chain();
      drop_retired();
      check_reload_done();
      send_heartbeat();
    }
    reap();
    remove_unix_sockets();
    return exit_code;
  }

  // A unix socket's file outlives its socket: ours go with the vassal, or a removed vassal
  // would leave them behind. (Unlinking may be refused once we dropped privileges.)
  void remove_unix_sockets() {
    for (const auto& s : options.sockets) {
      if (s.tcp || s.address.path.empty() || s.address.path[0] == '@') continue;
      struct stat st {};
      if (::lstat(s.address.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
        (void)::unlink(s.address.path.c_str());
    }
  }
};

Result<std::unique_ptr<Master>> Master::create(MasterOptions options) {
  if (!options.pid1 && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    return fail_errno("prctl PR_SET_CHILD_SUBREAPER");
  EMP_TRY(auto signals, sys::SignalFd::create({SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1,
                                               SIGUSR2, SIGWINCH, SIGTTIN, SIGTTOU}));
  EMP_TRY(auto epoll, sys::Epoll::create());
  EMP_CHECK(epoll.add(signals.fd(), EPOLLIN, kTokenSignals));
  if (options.channel && options.channel->open())
    EMP_CHECK(epoll.add(options.channel->fd(), EPOLLIN, kTokenChannel));
  if (options.notify) EMP_CHECK(epoll.add(options.notify->fd(), EPOLLIN, kTokenNotify));
  if (options.bridge)
    for (int fd : options.bridge->fds())
      EMP_CHECK(epoll.add(fd, tuntap::UwsgiBridge::kEpollEvents,
                          (kTokenBridge << 32) | static_cast<uint32_t>(fd)));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(epoll), std::move(signals));
  return std::unique_ptr<Master>(new Master(std::move(impl)));
}

Master::Master(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Master::~Master() = default;
int Master::run() {
  return impl_->run();
}

}  // namespace emp::vassal
