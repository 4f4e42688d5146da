// Vassal processes: the lifecycle's actions, the channel, output, exits.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "config/spec_json.h"
#include "emperor/daemon.h"
#include "sys/file_io.h"
#include "sys/unix_socket.h"
#include "vassal/heartbeat_news.h"

namespace emp::emperor {
namespace {


// After the vassal's own reload-mercy (which it applies to its workers) the emperor waits
// this much longer before it SIGKILLs the vassal, and with it its pid namespace.
constexpr std::chrono::seconds kMercyGrace{5};

uint64_t token(const Record& r, uint64_t kind) { return kVassalTokens | (r.id << 3) | kind; }

// A pidfd's process as the emperor's pid namespace numbers it (the Pid: line of its fdinfo).
int host_pid_of_pidfd(int pidfd) {
  auto info = sys::read_file("/proc/self/fdinfo/" + std::to_string(pidfd), 4096);
  if (!info) return 0;
  const auto at = info->find("\nPid:");
  if (at == std::string::npos) return 0;
  const int pid = std::atoi(info->c_str() + at + 5);
  return pid > 0 ? pid : 0;
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Record* Daemon::by_id(uint64_t id) {
  const auto it = records_by_id_.find(id);
  return it == records_by_id_.end() ? nullptr : it->second;
}

Record& Daemon::make_record(const std::string& name, const FileSnapshot& snap) {
  auto r = std::make_unique<Record>();
  r->id = next_id_++;
  r->name = name;
  r->file = snap;
  r->since_unix_ms = unix_ms_now();
  owner_of_file_[snap.filename] = name;
  Record& ref = *r;
  if (auto it = records_.find(name); it != records_.end()) records_by_id_.erase(it->second->id);
  records_by_id_[ref.id] = &ref;
  records_[name] = std::move(r);
  status_dirty_ = true;
  configure_logs(ref);
  return ref;
}

std::string_view Daemon::dispatch(Record& r, Event e, const std::string& reason) {
  const Transition t = next(r.state, r.intent, e);
  if (!t.refused.empty()) return t.refused;
  const State from = r.state;
  r.state = t.state;
  r.intent = t.intent;
  if (from != r.state) {
    r.since_unix_ms = unix_ms_now();
    publish_state_change(r, from, reason);
  }
  const uint64_t id = r.id;
  for (Action a : t.actions) {
    perform(r, a);
    if (a == Action::Forget) return {};  // r is gone
    if (!by_id(id)) return {};
  }
  return {};
}

void Daemon::perform(Record& r, Action a) {
  switch (a) {
    case Action::Spawn: spawn(r); break;
    case Action::Terminate: terminate(r); break;
    case Action::Kill:
      if (r.has_process()) {
        log_warning(r.name + ": still alive after its mercy; SIGKILL");
        (void)r.process->signal(SIGKILL);
      }
      break;
    case Action::SendReload:
      if (r.channel.open() && r.spec) {
        auto sent = r.channel.send(vassal::ReloadMessage{config::to_json(*r.spec)});
        if (!sent) log_error(r.name + ": " + sent.error().message);
      }
      break;
    case Action::ArmBackoff: {
      ++r.young_deaths;
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      const auto delay = options_.throttle.delay(r.young_deaths, unit(random_));
      r.backoff_at = std::chrono::steady_clock::now() + delay;
      log_warning(r.name + ": died young (" + std::to_string(r.young_deaths) + " in a row); next start in " +
          std::to_string(delay.count()) + " ms");
      break;
    }
    case Action::CancelBackoff: r.backoff_at.reset(); break;
    case Action::ResetBackoff: r.young_deaths = 0; break;
    case Action::CountReload:
      ++r.reloads;
      status_dirty_ = true;
      break;
    case Action::Forget: forget(r); break;
  }
}

void Daemon::spawn(Record& r) {
  if (!r.spec) return;
  release_process(r);
  r.namespaces = options_.use_clone;
  r.namespaces.add(r.spec->unshare);
  r.ready = false;
  r.fatal.reset();
  r.setup_step.clear();
  r.heartbeat = {};
  r.host_pids.clear();
  ++r.starts;
  status_dirty_ = true;
  configure_logs(r);  // a logger that could not be opened is tried again at every start

  auto out = sys::make_pipe();
  auto err = sys::make_pipe();
  auto fail_start = [&](const std::string& why) {
    r.last_error = why;
    log_error(r.name + ": " + why);
    r.fatal = why;
    dispatch(r, Event::ExitedFatal, "spawn failed");
  };
  if (!out || !err) return fail_start("create output pipes: " + (!out ? out.error() : err.error()).message);
  // The vassal writes blocking; only our read ends are non-blocking.
  (void)sys::set_nonblocking(out->read.get(), true);
  (void)sys::set_nonblocking(err->read.get(), true);
  auto launched = vassal::launch({&*binary_, r.name, r.namespaces, out->write.get(), err->write.get()});
  if (!launched) return fail_start(launched.error().message);
  r.process = std::move(launched->process);
  r.channel = vassal::Channel(std::move(launched->channel));
  r.out = OutputStream{std::move(out->read), logs::LineSplitter(), false, false, 0};
  r.err = OutputStream{std::move(err->read), logs::LineSplitter(), false, true, 0};
  r.spawned_at = std::chrono::steady_clock::now();
  r.started_unix_ms = unix_ms_now();
  (void)epoll_->add(r.channel.fd(), EPOLLIN, token(r, kKindChannel));
  (void)epoll_->add(r.process->pidfd(), EPOLLIN, token(r, kKindProcess));
  (void)epoll_->add(r.out.fd.get(), EPOLLIN, token(r, kKindStdout));
  (void)epoll_->add(r.err.fd.get(), EPOLLIN, token(r, kKindStderr));
  auto sent = r.channel.send(vassal::StartMessage{config::to_json(*r.spec), r.namespaces, r.force_uid,
                                                  r.force_gid, router_ ? router_->threads() : 1,
                                                  /*worker_output=*/true});
  if (!sent) log_error(r.name + ": " + sent.error().message);  // its exit will be seen on the pidfd
  log(r.name + ": started (pid " + std::to_string(r.process->pid()) + ")");
}

void Daemon::terminate(Record& r) {
  if (!r.has_process()) {
    // Nothing to wait for: settle at once (the table decides what "settled" means).
    dispatch(r, Event::ExitedOld, "no process");
    return;
  }
  if (r.channel.open()) (void)r.channel.send(vassal::StopMessage{});
  (void)r.process->signal(SIGTERM);
  const auto mercy = r.spec ? r.spec->reload_mercy.value_or(config::kDefaultReloadMercy)
                            : config::kDefaultReloadMercy;
  r.mercy_at = std::chrono::steady_clock::now() + mercy + kMercyGrace;
}

void Daemon::on_vassal_token(uint64_t token, uint32_t events) {
  Record* r = by_id((token & kIdMask) >> 3);
  if (!r) return;
  const uint64_t kind = token & 7;
  if (kind != kKindWorkerOutput) return on_vassal_event(*r, kind, events);
  const uint64_t index = (token >> 32) & (kWorkerOutputIndexes - 1);
  auto it = r->worker_output.find(index);
  if (it == r->worker_output.end()) return;
  on_output(*r, it->second, (index << 32) | kKindWorkerOutput);
  if (!it->second.fd) r->worker_output.erase(it);  // EOF: the worker is done with it
}

void Daemon::add_worker_output(Record& r, const vassal::WorkerOutputMessage& m,
                               std::vector<sys::UniqueFd> fds) {
  if (fds.size() != 3) {
    log_warning(r.name + ": worker " + std::to_string(m.slot) + " output: expected 3 fds, got " +
                std::to_string(fds.size()));
    return;
  }
  // Its host pid; the vassal's if the kernel will not say (a worker already gone).
  const int pid = host_pid_of_pidfd(fds[2].get());
  for (size_t i = 0; i < 2; ++i) {
    uint64_t index = r.last_worker_output;
    do {
      index = (index + 1) % kWorkerOutputIndexes;
    } while (index == 0 || r.worker_output.count(index));
    r.last_worker_output = index;
    (void)sys::set_nonblocking(fds[i].get(), true);
    OutputStream& s = r.worker_output[index];
    s = OutputStream{std::move(fds[i]), logs::LineSplitter(), false, i == 1, pid};
    (void)epoll_->add(s.fd.get(), EPOLLIN, token(r, kKindWorkerOutput) | (index << 32));
  }
}

void Daemon::on_vassal_event(Record& r, uint64_t kind, uint32_t events) {
  if (kind == kKindChannel) {
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_channel(r);
  } else if (kind == kKindStdout) {
    on_output(r, r.out, kKindStdout);
  } else if (kind == kKindStderr) {
    on_output(r, r.err, kKindStderr);
  } else if (kind == kKindProcess) {
    on_process_exit(r);
  }
}

void Daemon::on_channel(Record& r) {
  const uint64_t id = r.id;
  while (r.channel.open()) {
    auto in = r.channel.receive();
    if (!in) {
      if (in.error().message != "channel closed") log_error(r.name + ": " + in.error().message);
      epoll_->remove(r.channel.fd());
      r.channel.close();
      return;
    }
    if (!*in) return;
    auto& msg = (*in)->message;
    if (auto* step = std::get_if<vassal::StepMessage>(&msg)) {
      r.setup_step = step->what;
    } else if (std::holds_alternative<vassal::ReadyMessage>(msg)) {
      r.ready = true;
      r.last_error = r.log_error;  // a logging failure outlives the start it was found at
      dispatch(r, Event::Ready, "jail built, workers started and settled");
    } else if (std::holds_alternative<vassal::ReloadedMessage>(msg)) {
      dispatch(r, Event::Reloaded, "workers reloaded");
    } else if (auto* hb = std::get_if<vassal::HeartbeatMessage>(&msg)) {
      // status.json is rewritten for news only, not for every keepalive's small RSS drift.
      if (vassal::heartbeat_is_news(r.heartbeat, *hb)) status_dirty_ = true;
      r.heartbeat = std::move(*hb);
    } else if (auto* err = std::get_if<vassal::ErrorMessage>(&msg)) {
      r.fatal = err->step + ": " + err->message;
      r.last_error = *r.fatal;
      log_error(r.name + ": " + r.last_error);
    } else if (auto* tun = std::get_if<vassal::TunMessage>(&msg)) {
      attach_tun(r, tun->device, std::move((*in)->fds));
    } else if (auto* wo = std::get_if<vassal::WorkerOutputMessage>(&msg)) {
      add_worker_output(r, *wo, std::move((*in)->fds));
    } else if (auto* line = std::get_if<vassal::LogMessage>(&msg)) {
      // The master's own line: whole, with the severity it chose.
      emit_line(r, true, {line->text, false}, 0, line->level);
    }
    if (!by_id(id)) return;
  }
}

void Daemon::on_output(Record& r, OutputStream& s, uint64_t subtoken) {
  const bool is_stderr = s.is_stderr;
  char buf[65536];
  std::vector<logs::Line> lines;
  // Bounded per wakeup, so one chatty vassal cannot starve the loop; epoll comes back.
  for (int round = 0; round < 16 && !s.paused; ++round) {
    const ssize_t n = ::read(s.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {  // every writer closed: flush a partial last line
      if (auto last = s.lines.flush()) emit_line(r, is_stderr, {std::move(*last), false}, s.pid);
      epoll_->remove(s.fd.get());
      s.fd.reset();
      return;
    }
    lines.clear();
    s.lines.feed(std::string_view(buf, static_cast<size_t>(n)), lines);
    for (auto& line : lines) emit_line(r, is_stderr, std::move(line), s.pid);
    pause_output(r, s, subtoken);
  }
}

void Daemon::on_process_exit(Record& r) {
  auto status = r.process->try_wait();
  if (!status || !*status) return;
  // Whatever the vassal said last (an error report, its last lines) belongs to this life.
  if (r.channel.open()) on_channel(r);
  if (r.out.fd) on_output(r, r.out, kKindStdout);
  if (r.err.fd) on_output(r, r.err, kKindStderr);
  for (auto& [index, s] : r.worker_output)
    if (s.fd) on_output(r, s, (index << 32) | kKindWorkerOutput);
  r.last_exit = **status;
  r.mercy_at.reset();
  const auto uptime = std::chrono::steady_clock::now() - r.spawned_at;
  Event e = Event::ExitedOld;
  if (r.fatal) {
    e = Event::ExitedFatal;
  } else if (!r.ready || uptime < kVassalYoung) {
    e = Event::ExitedYoung;
  }
  const bool expected = r.state == State::Stopping;
  if (!expected) {
    std::string why = "exited (" + r.last_exit->to_string() + ")";
    if (!r.ready && !r.setup_step.empty()) why += " during setup at " + r.setup_step;
    if (!r.fatal) r.last_error = why;
    else if (!r.last_stderr.empty() && r.fatal->rfind("EXEC", 0) == 0)
      r.last_error = *r.fatal + " [" + r.last_stderr + "]";
    log_error(r.name + ": " + why);
  } else {
    log(r.name + ": stopped (" + r.last_exit->to_string() + ")");
  }
  release_process(r);
  dispatch(r, e, expected ? "stopped" : "exited");
}

void Daemon::release_process(Record& r) {
  if (r.channel.open()) {
    epoll_->remove(r.channel.fd());
    r.channel.close();
  }
  auto close_stream = [&](OutputStream& s) {
    if (!s.fd) return;
    epoll_->remove(s.fd.get());
    s.fd.reset();
    s.paused = false;
    if (auto last = s.lines.flush()) emit_line(r, s.is_stderr, {std::move(*last), false}, s.pid);
  };
  close_stream(r.out);
  close_stream(r.err);
  for (auto& [index, s] : r.worker_output) close_stream(s);
  r.worker_output.clear();
  if (r.process) {
    epoll_->remove(r.process->pidfd());
    r.process.reset();  // kills and reaps if it were still running
  }
  if (r.router_peer && router_) router_->detach(*r.router_peer);
  r.router_peer.reset();
  r.ready = false;
  status_dirty_ = true;
}

void Daemon::forget(Record& r) {
  release_process(r);
  const std::string name = r.name;
  std::erase_if(owner_of_file_, [&](const auto& kv) { return kv.second == name; });
  log(name + ": removed");
  if (pipeline_) pipeline_->remove_vassal(name);
  for (auto [first, last] = log_followers_.equal_range(name); first != last; ++first) {
    control_->send(first->second, nlohmann::json{{"end", true}, {"reason", "vassal removed"}});
    control_->close_after_flush(first->second);
  }
  log_followers_.erase(name);
  if (auto it = records_.find(name); it != records_.end()) records_by_id_.erase(it->second->id);
  records_.erase(name);
  status_dirty_ = true;
  // A file of the same name that was refused while this one lived may take over now.
  pending_full_scan_ = true;
  if (!scan_at_) scan_at_ = std::chrono::steady_clock::now() + kScanDebounce;
}

void Daemon::refresh_host_pids(Record& r) {
  // Workers report pids of their own namespace; status shows the host's. The kernel lists
  // a process's children (host pids) and each one's pid in every namespace (NSpid).
  if (!r.has_process() || r.heartbeat.workers.empty()) return;
  bool missing = false;
  for (const auto& w : r.heartbeat.workers) missing = missing || !r.host_pids.count(w.pid);
  if (!missing) return;
  const std::string base = "/proc/" + std::to_string(r.process->pid());
  auto children = sys::read_file(base + "/task/" + std::to_string(r.process->pid()) + "/children", 65536);
  if (!children) return;
  std::map<int, int> found;
  size_t pos = 0;
  while (pos < children->size()) {
    const size_t end = children->find(' ', pos);
    const std::string pid = children->substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? children->size() : end + 1;
    if (pid.empty()) continue;
    auto status = sys::read_file("/proc/" + pid + "/status", 65536);
    if (!status) continue;
    const auto ns = status->find("NSpid:");
    if (ns == std::string::npos) continue;
    const auto eol = status->find('\n', ns);
    const std::string line = status->substr(ns + 6, eol - ns - 6);
    const auto last = line.find_last_of(" \t");
    found[std::atoi(line.substr(last + 1).c_str())] = std::atoi(pid.c_str());
  }
  r.host_pids = std::move(found);
}

}  // namespace emp::emperor
