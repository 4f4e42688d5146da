// The readiness protocol: what a worker may send to $NOTIFY_SOCKET (sd_notify(3) style,
// newline-separated NAME=VALUE in one datagram). Pure parsing; the socket is in
// notify_socket.h.
//
// Accepted:  READY=1            the worker serves (a chained reload waits for it)
//            STATUS=text        free text shown in `emperor status`
//            WATCHDOG=1         keep-alive; once sent, worker-watchdog applies
//            WATCHDOG=trigger   the worker asks to be replaced now
//            BUSY=1 / BUSY=0    serving a request or not (cheaper-algo = spare); ours,
//                               systemd has no such field
//            RELOADING=1        not ready until the next READY=1
//            STOPPING=1         on its way out: neither ready nor busy
// Anything else (MAINPID=, ERRNO=, FDSTORE=, unknown names) is ignored, as systemd does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace emp::vassal {

inline constexpr size_t kMaxNotifyStatus = 256;  // longer STATUS= texts are cut

struct NotifyUpdate {
  std::optional<bool> ready;
  std::optional<bool> busy;
  std::optional<std::string> status;
  bool watchdog = false;          // WATCHDOG=1
  bool watchdog_trigger = false;  // WATCHDOG=trigger
  bool stopping = false;
  bool any = false;  // at least one field we understood
};

NotifyUpdate parse_notify(std::string_view datagram);

// The sender of a datagram, as SCM_CREDENTIALS gave it, may be a child of a worker (a
// command run without `exec`): "PPid" is field 4 of /proc/PID/stat, after the ")" that
// ends the command name (which may itself hold spaces and parentheses).
std::optional<int> parent_pid_from_stat(std::string_view stat);

}  // namespace emp::vassal
