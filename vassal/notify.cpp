#include "vassal/notify.h"

#include <charconv>

namespace emp::vassal {

NotifyUpdate parse_notify(std::string_view datagram) {
  NotifyUpdate u;
  size_t pos = 0;
  while (pos < datagram.size()) {
    size_t end = datagram.find('\n', pos);
    if (end == std::string_view::npos) end = datagram.size();
    const auto line = datagram.substr(pos, end - pos);
    pos = end + 1;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const auto name = line.substr(0, eq);
    const auto value = line.substr(eq + 1);
    bool known = true;
    if (name == "READY" && value == "1") {
      u.ready = true;
    } else if (name == "RELOADING" && value == "1") {
      u.ready = false;
    } else if (name == "STOPPING" && value == "1") {
      u.stopping = true;
      u.ready = false;
      u.busy = false;
    } else if (name == "BUSY" && (value == "1" || value == "0")) {
      u.busy = value == "1";
    } else if (name == "STATUS") {
      u.status = std::string(value.substr(0, kMaxNotifyStatus));
    } else if (name == "WATCHDOG" && value == "1") {
      u.watchdog = true;
    } else if (name == "WATCHDOG" && value == "trigger") {
      u.watchdog_trigger = true;
    } else {
      known = false;
    }
    u.any = u.any || known;
  }
  return u;
}

std::optional<int> parent_pid_from_stat(std::string_view stat) {
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  auto rest = stat.substr(close + 1);
  // " S 123 ...": state, then the parent's pid
  if (rest.size() < 4 || rest[0] != ' ' || rest[2] != ' ') return std::nullopt;
  rest = rest.substr(3);
  int ppid = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
  if (ec != std::errc{} || (end != rest.data() + rest.size() && *end != ' ')) return std::nullopt;
  return ppid;
}

}  // namespace emp::vassal
