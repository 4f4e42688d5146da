// The vassal master: runs `command` as a pool of workers inside the finished jail, respawns
// the ones that die, reloads them in place, stops them with mercy, and reaps every zombie
// (it is PID 1 of its pid namespace, or a child subreaper without one).
#pragma once

#include <memory>

#include <optional>

#include "config/vassal_spec.h"
#include "tuntap/uwsgi_bridge.h"
#include "vassal/channel.h"

namespace emp::vassal {

struct MasterOptions {
  config::VassalSpec spec;
  Channel* channel = nullptr;       // to the emperor (or the standalone parent)
  bool pid1 = false;                 // PID 1 of a pid namespace
  std::optional<tuntap::UwsgiBridge> bridge;  // tuntap-device-mode = uwsgi
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
