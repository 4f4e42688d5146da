// The jail: the vassal binary calls plan() then build() once per vassal start, as PID 1 of
// its pid namespace, single-threaded, root, still on the host's filesystem view.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jail/plan.h"
#include "sys/child.h"
#include "sys/result.h"

namespace emp::jail {

struct SetupError {
  Step step = Step::Namespace;
  std::string object;
  std::string message;  // complete: "bind '/srv/x' on '/srv/x': No such file or directory"
};

struct Callbacks {
  // Each op, before it runs (describe(op)).
  std::function<void(Step, const std::string& what)> progress;
  // What a hook says for the log: print: text, a command's output (warning = false) and a
  // failed safeexec (warning = true). Continuation lines come indented by two spaces.
  std::function<void(const std::string& text, bool warning)> note;
  // Stop requests (the vassal's signalfd, its channel): watched while a hook command runs
  // and checked between ops; a Cancel verdict kills the running command's process group
  // and fails the op: "exec-as-root 'sleep 12': cancelled by SIGTERM".
  std::vector<sys::CancelWatch> cancel;
  // At the NETNS step when the spec has tuntap-device: create the device in the current
  // network namespace (and keep its fds); the jail then configures the link.
  std::function<Result<void>(const std::string& device)> create_tun;
  // After the as-root hooks, before groups/gid/uid/caps drop: the vassal binds sockets here.
  std::function<Result<void>()> before_drop;
};

// Runs the plan's ops in order and stops at the first failure, which it returns. All host
// state it touches lives in the vassal's own namespaces, so nothing of the host is left
// changed when the vassal exits.
std::optional<SetupError> build(const Plan& plan, Callbacks& callbacks);

// The message, prefixed with the quoted object unless the message already names it:
// "check new root '/srv/x': No such file or directory" (not "'/srv/x': check new root...").
std::string message_of(const SetupError& e);
// "PIVOT_ROOT: check new root '/srv/x': No such file or directory"
std::string to_string(const SetupError& e);

}  // namespace emp::jail
