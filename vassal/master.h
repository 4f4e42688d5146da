// The vassal master: runs `command` as a pool of workers inside the finished jail, hands
// them the vassal's listening sockets, grows and shrinks the pool (cheaper) within its RSS
// limits, listens to their readiness notifications, respawns the ones that die, recycles
// and reloads them (all at once or chained), stops them with mercy, and reaps every zombie
// (it is PID 1 of its pid namespace, or a child subreaper without one).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/vassal_spec.h"
#include "tuntap/uwsgi_bridge.h"
#include "vassal/backlog.h"
#include "vassal/channel.h"
#include "vassal/listen_sockets.h"
#include "vassal/notify_socket.h"

namespace emp::vassal {

struct MasterOptions {
  config::VassalSpec spec;
  Channel* channel = nullptr;                 // to the emperor (or the standalone parent)
  bool pid1 = false;                          // PID 1 of a pid namespace
  std::optional<tuntap::UwsgiBridge> bridge;  // tuntap-device-mode = uwsgi
  std::vector<ListenSocket> sockets;          // bound in the jail, fds 3.. of every worker
  std::optional<NotifySocket> notify;         // NOTIFY_SOCKET of every worker
  std::optional<BacklogProbe> backlog;        // reads the sockets' listen queues
  std::vector<std::string> warnings;          // from the setup, logged when the master starts
  // Under the emperor (StartMessage::worker_output): each worker's stdout and stderr on pipes
  // of its own, handed over the channel, and the master's lines sent as LogMessage.
  bool worker_output = false;
};

class Master {
 public:
  static Result<std::unique_ptr<Master>> create(MasterOptions options);
  ~Master();
  // Runs until stopped (SIGTERM, SIGINT, SIGQUIT, a stop message, the channel closing) or
  // until the command cannot be executed. Returns the process exit code.
  int run();

  struct Impl;

 private:
  explicit Master(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace emp::vassal
