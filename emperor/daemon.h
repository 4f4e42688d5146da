// The emperor daemon: one thread, one epoll loop. It watches the vassal directory, turns
// what it sees into lifecycle events, spawns and supervises vassal processes, serves the
// control socket and keeps status.json current. No vassal can make it exit.
#pragma once

#include <chrono>
#include <map>
#include <unordered_map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/loader.h"
#include "emperor/control_server.h"
#include "emperor/record.h"
#include "emperor/run_options.h"
#include "emperor/status_doc.h"
#include "logs/pipeline.h"
#include "sys/epoll.h"
#include "sys/inotify.h"
#include "sys/signal_fd.h"
#include "sys/unique_fd.h"
#include "tuntap/router.h"
#include "vassal/launcher.h"

namespace emp::emperor {

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> create(RunOptions options);
  ~Daemon();
  // Runs until SIGTERM/SIGINT and every vassal has stopped; returns the exit code.
  int run();

 private:
  explicit Daemon(RunOptions options);
  Result<void> set_up();

  // --- the loop ---
  void on_event(uint64_t token, uint32_t events);
  void on_signals();
  void on_timers();
  std::chrono::milliseconds next_wait() const;
  void after_iteration();

  // --- the directory ---
  void watch_directory();
  void on_inotify();
  void full_scan();
  void scan_file(const std::string& filename);
  void apply_snapshot(const std::string& filename, std::optional<FileSnapshot> snap);
  config::Loaded<config::VassalSpec> load(const FileSnapshot& snap);
  void file_removed(Record& r);

  // --- vassals ---
  Record& make_record(const std::string& name, const FileSnapshot& snap);
  // Runs the lifecycle table; returns the refusal reason when the event is refused.
  std::string_view dispatch(Record& r, Event e, const std::string& reason = {});
  void perform(Record& r, Action a);
  void spawn(Record& r);
  void terminate(Record& r);
  void on_vassal_token(uint64_t token, uint32_t events);
  void on_vassal_event(Record& r, uint64_t kind, uint32_t events);
  void on_channel(Record& r);
  // `subtoken` is the stream's epoll token without the vassal's bits (kind, worker index).
  void on_output(Record& r, OutputStream& s, uint64_t subtoken);
  void add_worker_output(Record& r, const vassal::WorkerOutputMessage& m,
                         std::vector<sys::UniqueFd> fds);

  // --- logs ---
  Result<void> start_logs();
  void configure_logs(Record& r);
  // pid 0: the vassal's; level: the stream's default unless given.
  void emit_line(Record& r, bool is_stderr, logs::Line line, int pid = 0,
                 std::optional<int> level = std::nullopt);
  void on_logs_wake();
  void pause_output(Record& r, OutputStream& s, uint64_t subtoken);
  void on_logs_request(uint64_t client, const nlohmann::json& body);
  void on_process_exit(Record& r);
  void release_process(Record& r);
  void forget(Record& r);
  void refresh_host_pids(Record& r);
  Record* by_id(uint64_t id);

  // --- control ---
  void on_request(const ControlServer::Request& req);
  void check_waiters();
  void publish_state_change(const Record& r, State from, const std::string& reason);

  // --- the router ---
  Result<void> start_router();
  Result<void> run_exec_as_root();
  void attach_tun(Record& r, const std::string& device, std::vector<sys::UniqueFd> fds);
  void on_router_events();

  // --- status ---
  nlohmann::json status_doc();
  nlohmann::json vassal_doc(const Record& r);
  void write_status();
  // The emperor's own lines, with a syslog severity: journalctl -p warning shows the problems.
  // A directory-level change (several renames of a "..data" swap) is scanned once, this late.
  static constexpr std::chrono::milliseconds kScanDebounce{5};
  // The periodic full rescan; every second while the directory is missing.
  std::chrono::steady_clock::duration rescan_interval() const;
  static constexpr int kLogError = 3, kLogWarning = 4, kLogInfo = 6;
  void log(const std::string& line, int level = kLogInfo);
  void log_error(const std::string& line) { log(line, kLogError); }
  void log_warning(const std::string& line) { log(line, kLogWarning); }

  RunOptions options_;
  EmperorInfo info_;
  sys::UniqueFd lock_;
  std::optional<sys::Epoll> epoll_;
  std::optional<sys::SignalFd> signals_;
  std::optional<sys::Inotify> inotify_;
  int watch_ = -1;
  std::optional<ControlServer> control_;
  std::optional<vassal::VassalBinary> binary_;
  std::unique_ptr<tuntap::Router> router_;
  std::unique_ptr<logs::Pipeline> pipeline_;
  // `emperor logs -f` clients, by the vassal they follow.
  std::multimap<std::string, uint64_t> log_followers_;

  std::map<std::string, std::unique_ptr<Record>> records_;  // by vassal name
  // The same records by id: every channel message and timer names its vassal by id.
  std::unordered_map<uint64_t, Record*> records_by_id_;
  std::map<std::string, std::string> owner_of_file_;         // filename -> vassal name
  std::set<std::string> reported_;                           // one-time messages already logged
  uint64_t next_id_ = 1;

  // Directory events wait for a short debounce; a file created but not yet closed waits
  // for its close (bounded), so a half-written file is never read.
  std::set<std::string> pending_files_;
  std::map<std::string, SteadyTime> being_written_;
  bool pending_full_scan_ = false;
  std::optional<SteadyTime> scan_at_;
  SteadyTime next_rescan_{};

  struct Waiter {
    uint64_t client;
    std::string name;
    std::string verb;  // start, stop, restart, reload
    uint64_t starts_before = 0, reloads_before = 0;
    SteadyTime deadline;
  };
  std::vector<Waiter> waiters_;

  bool shutting_down_ = false;
  bool status_dirty_ = true;
  SteadyTime last_status_write_{};
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace emp::emperor
