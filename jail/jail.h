// The jail: the vassal binary calls plan() then build() once per vassal start, as PID 1 of
// its pid namespace, single-threaded, root, still on the host's filesystem view.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "jail/plan.h"
#include "sys/result.h"

namespace emp::jail {

struct SetupError {
  Step step = Step::Namespace;
  std::string object;
  std::string message;  // complete: "bind '/srv/x' on '/srv/x': No such file or directory"
};

struct Callbacks {
  // Each op, before it runs (describe(op)); also safeexec failures and print: hooks.
  std::function<void(Step, const std::string& what)> progress;
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

// "PIVOT_ROOT '/srv/x': bind '/srv/x' on '/srv/x': No such file or directory"
std::string to_string(const SetupError& e);

}  // namespace emp::jail
