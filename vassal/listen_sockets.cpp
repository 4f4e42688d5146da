#include "vassal/listen_sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "sys/identity.h"
#include "sys/unix_socket.h"

namespace emp::vassal {
namespace {

std::string inet_text(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
}

Result<ListenSocket> bind_inet(const config::SocketAddress& address) {
  const std::string what = "'" + address.text + "'";
  sockaddr_storage ss{};
  socklen_t len = 0;
  const bool v6 = address.host && address.host->family == config::IpFamily::V6;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(address.port);
    std::memcpy(&a->sin6_addr, address.host->bytes.data(), 16);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(address.port);
    if (address.host)
      std::memcpy(&a->sin_addr, address.host->bytes.data(), 4);
    else
      a->sin_addr.s_addr = htonl(INADDR_ANY);
    len = sizeof *a;
  }
  sys::UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("socket for " + what);
  // A restarted vassal rebinds at once, past the old connections' TIME_WAIT.
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    return fail_errno("setsockopt SO_REUSEADDR " + what);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0)
    return fail_errno("bind " + what);
  if (::listen(fd.get(), kListenBacklog) != 0) return fail_errno("listen " + what);
  sockaddr_storage got{};
  socklen_t got_len = sizeof got;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&got), &got_len) != 0)
    return fail_errno("getsockname " + what);
  ListenSocket s;
  s.address = address;
  s.bound = inet_text(got);
  s.tcp = true;
  s.fd = std::move(fd);
  return s;
}

Result<ListenSocket> bind_unix(const config::SocketAddress& address, const SocketOwner& owner) {
  EMP_TRY(auto fd, sys::listen_unix(address.path, SOCK_STREAM, owner.mode, kListenBacklog));
  if ((owner.uid || owner.gid) &&
      ::chown(address.path.c_str(), owner.uid.value_or(static_cast<uid_t>(-1)),
              owner.gid.value_or(static_cast<gid_t>(-1))) != 0)
    return fail_errno("chown '" + address.path + "'");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail_errno("fstat '" + address.path + "'");
  ListenSocket s;
  s.address = address;
  s.bound = address.path;
  s.inode = st.st_ino;
  s.fd = std::move(fd);
  return s;
}

}  // namespace

Result<SocketOwner> resolve_socket_owner(const config::VassalSpec& spec) {
  SocketOwner o;
  if (spec.chmod_socket) o.mode = static_cast<unsigned>(*spec.chmod_socket);
  if (!spec.chown_socket) return o;
  const std::string& text = *spec.chown_socket;
  const auto colon = text.find(':');
  EMP_TRY(const auto user, sys::lookup_user(text.substr(0, colon)));
  o.uid = user.user.uid;
  if (colon != std::string::npos) {
    EMP_TRY(o.gid, sys::lookup_group(text.substr(colon + 1)));
  } else if (user.found) {
    o.gid = user.user.gid;
  }
  return o;
}

Result<ListenSocket> bind_listen_socket(const config::SocketAddress& address,
                                        const SocketOwner& owner) {
  if (address.kind == config::SocketAddress::Kind::Unix) return bind_unix(address, owner);
  return bind_inet(address);
}

}  // namespace emp::vassal
