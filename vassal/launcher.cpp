#include "vassal/launcher.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "sys/unix_socket.h"

namespace emp::vassal {
namespace {

std::string self_dir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

Result<VassalBinary> open_binary(const std::string& path) {
  sys::UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd) return fail_errno("open vassal binary '" + path + "'");
  if (::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) != 0)
    return fail_errno("vassal binary '" + path + "' is not executable");
  return VassalBinary{std::move(fd), path};
}

}  // namespace

Result<VassalBinary> find_vassal_binary() {
  if (const char* env = std::getenv("EMPEROR_VASSAL_BINARY"); env && *env) return open_binary(env);
  const std::string dir = self_dir();
  for (const std::string& candidate : {dir + "/vassal", dir + "/../vassal/vassal"})
    if (::access(candidate.c_str(), X_OK) == 0) return open_binary(candidate);
  return fail("find the vassal binary: not in '" + dir + "' nor '" + dir +
              "/../vassal'; set EMPEROR_VASSAL_BINARY");
}

uint64_t clone_flags(const config::NamespaceSet& namespaces) {
  uint64_t flags = 0;
  for (auto ns : namespaces.members()) {
    switch (ns) {
      case config::Namespace::Ipc: flags |= CLONE_NEWIPC; break;
      case config::Namespace::Uts: flags |= CLONE_NEWUTS; break;
      case config::Namespace::Mount: flags |= CLONE_NEWNS; break;
      case config::Namespace::Pid: flags |= CLONE_NEWPID; break;
      case config::Namespace::Net: flags |= CLONE_NEWNET; break;
      case config::Namespace::Cgroup: flags |= CLONE_NEWCGROUP; break;
    }
  }
  return flags;
}

Result<Launched> launch(const LaunchOptions& o) {
  EMP_TRY(auto pair, sys::socket_pair(SOCK_SEQPACKET));
  sys::UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull) return fail_errno("open '/dev/null'");
  sys::SpawnOptions spawn;
  spawn.argv = {"vassal", "--channel", std::to_string(kChannelFd), "--name", o.name};
  // The tenant sees none of the emperor's environment.
  spawn.env = std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  spawn.fds = {{devnull.get(), 0}, {o.stdout_fd, 1}, {o.stderr_fd, 2}, {pair.second.get(), kChannelFd}};
  spawn.clone_flags = clone_flags(o.namespaces);
  spawn.exec_fd = o.binary->fd.get();
  // If the emperor dies (even SIGKILL), the vassal dies; as PID 1 of its pid namespace it
  // takes every process of the namespace with it.
  spawn.death_signal = SIGKILL;
  auto child = sys::Child::spawn(spawn);
  if (!child)
    return fail("launch vassal '" + o.name + "': " + child.error().message, child.error().code);
  EMP_CHECK(sys::set_nonblocking(pair.first.get(), true));
  return Launched{std::move(*child), std::move(pair.first)};
}

}  // namespace emp::vassal
