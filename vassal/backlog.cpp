#include "vassal/backlog.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace emp::vassal {
namespace {

// The kernel's TCP_LISTEN state number (include/net/tcp_states.h), which no uapi header
// exports; unix sockets use the same numbering.
constexpr int kTcpListen = 10;

struct UnixDiagRequest {
  nlmsghdr header;
  unix_diag_req body;
};

}  // namespace

Result<BacklogProbe> BacklogProbe::open(const std::vector<ListenSocket>& sockets) {
  const bool unix_listener =
      std::any_of(sockets.begin(), sockets.end(), [](const ListenSocket& s) { return !s.tcp; });
  if (!unix_listener) return BacklogProbe(sys::UniqueFd());
  sys::UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!fd) return fail_errno("socket NETLINK_SOCK_DIAG");
  return BacklogProbe(std::move(fd));
}

Result<uint64_t> BacklogProbe::queued(const std::vector<ListenSocket>& sockets) const {
  uint64_t total = 0;
  for (const auto& s : sockets) {
    if (s.tcp) {
      tcp_info info{};
      socklen_t len = sizeof info;
      if (::getsockopt(s.fd.get(), IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
        return fail_errno("TCP_INFO '" + s.address.text + "'");
      total += info.tcpi_unacked;  // for a listener: the accept queue's length
    } else {
      EMP_TRY(const uint64_t q, unix_queue(s));
      total += q;
    }
  }
  return total;
}

Result<uint64_t> BacklogProbe::unix_queue(const ListenSocket& s) const {
  const std::string what = "sock_diag '" + s.address.text + "'";
  if (!diag_) return fail(what + ": no sock_diag socket");
  UnixDiagRequest request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.header.nlmsg_seq = 1;
  request.body.sdiag_family = AF_UNIX;
  request.body.udiag_states = 1u << kTcpListen;
  request.body.udiag_ino = static_cast<uint32_t>(s.inode);
  request.body.udiag_show = UDIAG_SHOW_RQLEN;
  request.body.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
  request.body.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(diag_.get(), &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0)
    return fail_errno(what + ": send");
  // The kernel answers a single-socket request before sendto returns.
  alignas(nlmsghdr) char buf[1024];
  const ssize_t n = ::recv(diag_.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0) return fail_errno(what + ": receive");
  // The answer by hand rather than through NLMSG_*/RTA_* macros (C casts in them).
  const size_t got = static_cast<size_t>(n);
  nlmsghdr h{};
  if (got < sizeof h) return fail(what + ": short answer");
  std::memcpy(&h, buf, sizeof h);
  if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > got) return fail(what + ": short answer");
  const char* body = buf + NLMSG_HDRLEN;
  const size_t body_len = h.nlmsg_len - NLMSG_HDRLEN;
  if (h.nlmsg_type == NLMSG_ERROR) {
    nlmsgerr e{};
    if (body_len < sizeof e) return fail(what + ": short error answer");
    std::memcpy(&e, body, sizeof e);
    return fail_errno(what, -e.error);
  }
  if (h.nlmsg_type != SOCK_DIAG_BY_FAMILY || body_len < sizeof(unix_diag_msg))
    return fail(what + ": unexpected answer");
  size_t pos = NLMSG_ALIGN(sizeof(unix_diag_msg));
  while (pos + sizeof(rtattr) <= body_len) {
    rtattr a{};
    std::memcpy(&a, body + pos, sizeof a);
    if (a.rta_len < sizeof a || pos + a.rta_len > body_len) break;
    if (a.rta_type == UNIX_DIAG_RQLEN && a.rta_len >= RTA_LENGTH(sizeof(unix_diag_rqlen))) {
      unix_diag_rqlen rq{};
      std::memcpy(&rq, body + pos + RTA_LENGTH(0), sizeof rq);
      return uint64_t{rq.udiag_rqueue};  // for a listener: connections waiting for accept
    }
    pos += RTA_ALIGN(a.rta_len);
  }
  return fail(what + ": no queue length in the answer");
}

}  // namespace emp::vassal
