#include "vassal/activation.h"

namespace emp::vassal {
namespace {

constexpr const char* kPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Sets NAME=VALUE, replacing an earlier NAME in place.
void put(std::vector<std::string>& env, const std::string& assignment) {
  const auto name = assignment.substr(0, assignment.find('=') + 1);
  for (auto& e : env) {
    if (e.compare(0, name.size(), name) == 0) {
      e = assignment;
      return;
    }
  }
  env.push_back(assignment);
}

}  // namespace

std::string fd_name(const config::SocketAddress& address) {
  std::string name = address.text.substr(0, 255);
  for (char& c : name)
    if (c == ':' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      c = '_';
  return name.empty() ? "socket" : name;
}

std::vector<std::string> worker_env(const WorkerEnvInput& in) {
  std::vector<std::string> env = {kPath, "HOME=/"};
  for (const auto& e : in.spec_env) put(env, e);
  put(env, "EMPEROR_VASSAL=" + in.vassal);
  put(env, "EMPEROR_WORKER=" + std::to_string(in.slot));
  if (!in.sockets.empty()) {
    std::string names;
    for (const auto& s : in.sockets) names += (names.empty() ? "" : ":") + fd_name(s);
    put(env, "LISTEN_FDS=" + std::to_string(in.sockets.size()));
    put(env, "LISTEN_FDNAMES=" + names);
  }
  if (!in.notify_socket.empty()) put(env, "NOTIFY_SOCKET=" + in.notify_socket);
  if (in.watchdog) put(env, "WATCHDOG_USEC=" + std::to_string(in.watchdog->count() * 1000));
  return env;
}

}  // namespace emp::vassal
