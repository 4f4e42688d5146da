// The loop, signals, timers, status and control requests. The directory lives in
// daemon_files.cpp, the vassal processes in daemon_vassals.cpp.
#include "emperor/daemon.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "emperor_version.h"
#include "sys/file_io.h"
#include "sys/notify.h"

namespace emp::emperor {
namespace {

constexpr uint64_t kTokenSignals = 1;
constexpr uint64_t kTokenInotify = 2;
constexpr uint64_t kTokenRouter = 3;
constexpr uint64_t kTokenLogs = 4;
constexpr uint64_t kTokenControl = 1ull << 40;
constexpr std::chrono::seconds kRescanEvery{30};
constexpr std::chrono::seconds kDirRetryEvery{1};
constexpr std::chrono::milliseconds kStatusHeartbeatEvery{2'000};

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<void> make_dir(const std::string& path) {
  // mkdir -p: each component, tolerating those that exist.
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    const std::string part = path.substr(0, i);
    if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return fail_errno("mkdir '" + part + "'");
  }
  return ok();
}

std::string absolute(const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) return path;
  return std::string(cwd) + "/" + path;
}

}  // namespace

Daemon::Daemon(RunOptions options) : options_(std::move(options)) {}
Daemon::~Daemon() = default;

Result<std::unique_ptr<Daemon>> Daemon::create(RunOptions options) {
  std::unique_ptr<Daemon> d(new Daemon(std::move(options)));
  EMP_CHECK(d->set_up());
  return d;
}

Result<void> Daemon::set_up() {
  options_.vassals_dir = absolute(options_.vassals_dir);
  options_.runtime_dir = absolute(options_.runtime_dir);
  info_.pid = ::getpid();
  info_.version = EMPEROR_VERSION;
  info_.vassals_dir = options_.vassals_dir;
  info_.runtime_dir = options_.runtime_dir;
  info_.started_unix_ms = unix_ms_now();

  EMP_CHECK(make_dir(options_.runtime_dir));
  auto lock = sys::lock_file(options_.runtime_dir + "/emperor.lock");
  if (!lock)
    return fail("another emperor uses the runtime dir '" + options_.runtime_dir +
                "' (" + lock.error().message + "); give this one its own --runtime-dir");
  lock_ = std::move(*lock);
  EMP_TRY(binary_, vassal::find_vassal_binary());
  EMP_TRY(epoll_, sys::Epoll::create());
  EMP_TRY(signals_, sys::SignalFd::create({SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR2}));
  EMP_CHECK(epoll_->add(signals_->fd(), EPOLLIN, kTokenSignals));
  EMP_TRY(inotify_, sys::Inotify::create());
  EMP_CHECK(epoll_->add(inotify_->fd(), EPOLLIN, kTokenInotify));
  EMP_TRY(control_, ControlServer::listen(options_.runtime_dir + "/emperor.sock", &*epoll_, kTokenControl));
  EMP_CHECK(start_logs());
  EMP_CHECK(start_router());
  if (router_) EMP_CHECK(epoll_->add(router_->event_fd(), EPOLLIN, kTokenRouter));
  EMP_CHECK(run_exec_as_root());
  return ok();
}

void Daemon::log(const std::string& line, int level) {
  if (!pipeline_) {
    std::cerr << "emperor: " << line << std::endl;
    return;
  }
  logs::Record rec;
  rec.time = std::chrono::system_clock::now();
  rec.vassal = "emperor";
  rec.stream = logs::Stream::Emperor;
  rec.pid = info_.pid;
  rec.msg = line;
  rec.level = level;
  pipeline_->submit(std::move(rec));
}

int Daemon::run() {
  log("governing " + options_.vassals_dir + " (runtime dir " + options_.runtime_dir +
      ", namespaces " + options_.use_clone.to_string() + ")");
  watch_directory();
  full_scan();  // the cold boot: every valid vassal starts now, no throttling
  write_status();
  (void)sys::sd_notify("READY=1\nSTATUS=" + std::to_string(records_.size()) + " vassals");
  next_rescan_ = std::chrono::steady_clock::now() + rescan_interval();

  while (!(shutting_down_ && records_.empty())) {
    auto events = epoll_->wait(next_wait(), 256);
    if (!events) {
      log_error(events.error().message);
      return 1;
    }
    for (const auto& ev : *events) on_event(ev.data.u64, ev.events);
    on_timers();
    after_iteration();
  }
  write_status();
  log("all vassals stopped; bye");
  return 0;
}

void Daemon::on_event(uint64_t token, uint32_t events) {
  if (token == kTokenSignals) return on_signals();
  if (token == kTokenInotify) return on_inotify();
  if (token == kTokenRouter) return on_router_events();
  if (token == kTokenLogs) return on_logs_wake();
  if (control_->owns(token)) {
    for (const auto& req : control_->on_event(token, events)) on_request(req);
    return;
  }
  on_vassal_token(token, events);
}

void Daemon::on_signals() {
  auto sigs = signals_->read_signals();
  if (!sigs) return log_error(sigs.error().message);
  for (int sig : *sigs) {
    if (sig == SIGUSR2) {
      auto reopened = pipeline_->reopen();
      if (reopened) log("SIGUSR2: log files reopened");
      else log_error("SIGUSR2: " + reopened.error().message);
    } else if (sig == SIGHUP) {
      log("SIGHUP: rescanning " + options_.vassals_dir);
      pending_full_scan_ = true;
      scan_at_ = std::chrono::steady_clock::now();
    } else if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
      if (shutting_down_) continue;
      shutting_down_ = true;
      log(std::string("shutting down (") + sys::signal_name(sig) + "): stopping " +
          std::to_string(records_.size()) + " vassals");
      (void)sys::sd_notify("STOPPING=1");
      std::vector<Record*> all;
      for (auto& [name, r] : records_) all.push_back(r.get());
      for (Record* r : all) dispatch(*r, Event::FileRemoved, "emperor shutdown");
    }
  }
}

std::chrono::steady_clock::duration Daemon::rescan_interval() const {
  if (watch_ < 0) return kDirRetryEvery;
  return kRescanEvery;
}

std::chrono::milliseconds Daemon::next_wait() const {
  auto deadline = next_rescan_;
  if (scan_at_) deadline = std::min(deadline, *scan_at_);
  for (const auto& [name, when] : being_written_) deadline = std::min(deadline, when);
  for (const auto& [name, r] : records_) {
    if (r->backoff_at) deadline = std::min(deadline, *r->backoff_at);
    if (r->mercy_at) deadline = std::min(deadline, *r->mercy_at);
  }
  for (const auto& w : waiters_) deadline = std::min(deadline, w.deadline);
  if (status_dirty_) deadline = std::min(deadline, last_status_write_ + kStatusHeartbeatEvery);
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max(std::chrono::milliseconds{0}, wait + std::chrono::milliseconds{1});
}

void Daemon::on_timers() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = being_written_.begin(); it != being_written_.end();) {
    if (it->second <= now) {
      pending_files_.insert(it->first);  // never closed: read what is there
      if (!scan_at_) scan_at_ = now;
      it = being_written_.erase(it);
    } else {
      ++it;
    }
  }
  if (scan_at_ && *scan_at_ <= now) {
    scan_at_.reset();
    if (pending_full_scan_) {
      pending_full_scan_ = false;
      pending_files_.clear();
      full_scan();
    } else {
      const auto files = std::exchange(pending_files_, {});
      for (const auto& f : files) scan_file(f);
    }
  }
  if (now >= next_rescan_) {
    if (watch_ < 0) watch_directory();  // the directory vanished: is it back?
    full_scan();
    next_rescan_ = now + rescan_interval();
  }
  std::vector<Record*> due_backoff, due_mercy;
  for (auto& [name, r] : records_) {
    if (r->backoff_at && *r->backoff_at <= now) due_backoff.push_back(r.get());
    if (r->mercy_at && *r->mercy_at <= now) due_mercy.push_back(r.get());
  }
  for (Record* r : due_backoff) {
    r->backoff_at.reset();
    dispatch(*r, Event::BackoffElapsed);
  }
  for (Record* r : due_mercy) {
    r->mercy_at.reset();
    dispatch(*r, Event::MercyElapsed);
  }
  check_waiters();
}

void Daemon::after_iteration() {
  if (!status_dirty_) return;
  // State changes are written at once; heartbeat-only changes at most every 2 seconds.
  write_status();
}

nlohmann::json Daemon::vassal_doc(const Record& r) {
  return vassal_json(r, unix_ms_now(),
                     router_ && r.router_peer ? router_->peer_stats(*r.router_peer) : nlohmann::json());
}

nlohmann::json Daemon::status_doc() {
  for (auto& [name, r] : records_) refresh_host_pids(*r);
  return status_json(info_, records_, unix_ms_now(), router_ ? router_->stats() : nlohmann::json(),
                     [this](const Record& r) {
                       return router_ && r.router_peer ? router_->peer_stats(*r.router_peer)
                                                       : nlohmann::json();
                     });
}

void Daemon::write_status() {
  if (!control_) return;
  const auto doc = status_doc();
  auto mode = sys::write_atomic(options_.runtime_dir, "status.json",
                                doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!mode) {
    log_error(mode.error().message);
  } else {
    info_.status_file_mode = *mode == sys::AtomicWriteMode::TmpFile ? "o_tmpfile" : "named-temp";
  }
  status_dirty_ = false;
  last_status_write_ = std::chrono::steady_clock::now();
}

void Daemon::publish_state_change(const Record& r, State from, const std::string& reason) {
  status_dirty_ = true;
  last_status_write_ = {};  // state changes are written without delay
  nlohmann::json ev{{"time", iso_time(unix_ms_now())},
                    {"vassal", r.name},
                    {"from", state_name(from)},
                    {"to", state_name(r.state)},
                    {"pid", r.has_process() ? nlohmann::json(r.process->pid()) : nlohmann::json()}};
  if (!reason.empty()) ev["reason"] = reason;
  if (!r.last_error.empty() && (r.state == State::Failed || r.state == State::Backoff))
    ev["error"] = r.last_error;
  control_->broadcast(ev);
  (void)sys::sd_notify("STATUS=" + std::to_string(records_.size()) + " vassals");
}

// --- control requests ---------------------------------------------------------------------

void Daemon::on_request(const ControlServer::Request& req) {
  using Json = nlohmann::json;
  const auto& body = req.body;
  auto reply_error = [&](const std::string& error, const std::string& code = "error") {
    control_->send(req.client, Json{{"ok", false}, {"error", error}, {"code", code}});
  };
  if (!body.is_object() || !body.contains("cmd") || !body["cmd"].is_string())
    return reply_error("a request is a JSON object with a \"cmd\"", "usage");
  const std::string cmd = body["cmd"].get<std::string>();
  const std::string name = body.value("name", "");

  if (cmd == "ping") return control_->send(req.client, Json{{"ok", true}, {"pid", info_.pid}});
  if (cmd == "status") {
    if (!name.empty()) {
      auto it = records_.find(name);
      if (it == records_.end()) return reply_error("unknown vassal '" + name + "'", "unknown");
      refresh_host_pids(*it->second);
      return control_->send(req.client, Json{{"ok", true}, {"vassal", vassal_doc(*it->second)}});
    }
    return control_->send(req.client, Json{{"ok", true}, {"status", status_doc()}});
  }
  if (cmd == "logs") return on_logs_request(req.client, body);
  if (cmd == "events") {
    control_->subscribe(req.client);
    return control_->send(req.client, Json{{"ok", true}, {"subscribed", "events"}});
  }
  if (cmd == "rescan") {
    pending_full_scan_ = true;
    scan_at_ = std::chrono::steady_clock::now();
    return control_->send(req.client, Json{{"ok", true}});
  }
  static const std::map<std::string, Event> kVerbs = {{"start", Event::StartRequested},
                                                      {"stop", Event::StopRequested},
                                                      {"restart", Event::RestartRequested},
                                                      {"reload", Event::ReloadRequested}};
  auto verb = kVerbs.find(cmd);
  if (verb == kVerbs.end()) return reply_error("unknown command '" + cmd + "'", "usage");
  if (name.empty()) return reply_error("'" + cmd + "' needs a vassal name", "usage");
  auto it = records_.find(name);
  if (it == records_.end()) return reply_error("unknown vassal '" + name + "'", "unknown");
  Record& r = *it->second;
  if (!r.spec) return reply_error("vassal '" + name + "' has no valid file: " + r.last_error);
  if (shutting_down_) return reply_error("the emperor is shutting down");
  const auto starts = r.starts, reloads = r.reloads;
  const auto refused = dispatch(r, verb->second, "operator " + cmd);
  if (!refused.empty()) return reply_error(std::string(refused));
  const int64_t timeout_ms = body.value("timeout_ms", int64_t{60'000});
  waiters_.push_back({req.client, name, cmd, starts, reloads,
                      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)});
  check_waiters();
}

void Daemon::check_waiters() {
  using Json = nlohmann::json;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(waiters_, [&](const Waiter& w) {
    if (!control_->connected(w.client)) return true;
    auto it = records_.find(w.name);
    auto answer = [&](bool ok, const std::string& message) {
      Json reply{{"ok", ok}, {"message", message}};
      if (!ok) reply["error"] = message;
      if (it != records_.end()) reply["vassal"] = vassal_doc(*it->second);
      control_->send(w.client, reply);
      return true;
    };
    if (it == records_.end()) return answer(false, "vassal '" + w.name + "' is gone");
    const Record& r = *it->second;
    const std::string error = r.last_error.empty() ? "" : ": " + r.last_error;
    if (w.verb == "stop") {
      if (r.state == State::Stopped) return answer(true, w.name + " stopped");
    } else {
      const bool new_start = r.starts > w.starts_before;
      const bool reloaded = r.reloads > w.reloads_before;
      if (r.state == State::Failed && (new_start || w.verb == "reload"))
        return answer(false, w.name + " failed" + error);
      if (r.state == State::Backoff && new_start)
        return answer(false, w.name + " died at start and is in backoff" + error);
      if (r.state == State::Running) {
        if (w.verb == "start" && (new_start || w.starts_before > 0)) return answer(true, w.name + " is running");
        if (w.verb == "restart" && new_start) return answer(true, w.name + " restarted");
        if (w.verb == "reload" && (reloaded || new_start)) return answer(true, w.name + " reloaded");
      }
    }
    if (now >= w.deadline)
      return answer(false, "timed out waiting for " + w.name + " to " + w.verb + "; it is " +
                               state_name(r.state) + error);
    return false;
  });
}

}  // namespace emp::emperor
