// tun_ceiling: the least a tun-based router can do, as a benchmark anchor. It opens a tun
// device in each of two network namespaces with the router's own sys::open_tun (vnet
// header, checksum/TSO/USO offloads) and copies every packet from one to the other: no parsing, no firewall,
// no routing, no counters. Its I/O loop is the router's (epoll, reads until EAGAIN or 64
// packets, a 40 us poll before sleeping), so bench/router.sh's "ours / ceiling" ratio is what
// the router's own work costs, and "ceiling / kernel" what the tun data path itself costs
// on the machine of the run.
//
// Usage: tun_ceiling NETNS_A DEV_A NETNS_B DEV_B SECONDS   (namespaces by `ip netns` name)
// Prints "ready" once both devices exist; exits after SECONDS or on SIGTERM/SIGINT, and
// prints the packets it forwarded on stderr.
#include <fcntl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sys/tun.h"

namespace {

volatile sig_atomic_t stop_requested = 0;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "tun_ceiling: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// A tun device created inside the named namespace; the fd keeps working from ours.
int open_tun_in(const std::string& netns, const std::string& name) {
  const int home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = ::open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
  if (home < 0 || target < 0) die("open namespace " + netns);
  if (::setns(target, CLONE_NEWNET) != 0) die("setns " + netns);
  auto fds = emp::sys::open_tun({name, 1, true, 0});
  if (!fds) {
    std::fprintf(stderr, "tun_ceiling: %s\n", fds.error().message.c_str());
    std::exit(1);
  }
  if (::setns(home, CLONE_NEWNET) != 0) die("setns back");
  ::close(home);
  ::close(target);
  return fds->front().release();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: tun_ceiling NETNS_A DEV_A NETNS_B DEV_B SECONDS\n");
    return 2;
  }
  const int fds[2] = {open_tun_in(argv[1], argv[2]), open_tun_in(argv[3], argv[4])};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(argv[5]));
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  std::signal(SIGINT, [](int) { stop_requested = 1; });

  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  for (uint32_t i = 0; i < 2; ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = i;
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0) die("epoll_ctl");
  }
  std::puts("ready");
  std::fflush(stdout);

  std::vector<char> buf(160 * 1024);
  long forwarded = 0;
  bool busy = false;
  epoll_event ready[2];
  while (!stop_requested && std::chrono::steady_clock::now() < deadline) {
    int n = ::epoll_wait(ep, ready, 2, 0);
    if (n == 0 && busy) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(40);
      while (n == 0 && std::chrono::steady_clock::now() < until) n = ::epoll_wait(ep, ready, 2, 0);
    }
    if (n == 0) n = ::epoll_wait(ep, ready, 2, 200);  // wakes now and then for the deadline
    busy = false;
    for (int i = 0; i < n; ++i) {
      const uint32_t from = ready[i].data.u32;
      for (int k = 0; k < 64; ++k) {
        const ssize_t got = ::read(fds[from], buf.data(), buf.size());
        if (got <= 0) break;
        if (::write(fds[1 - from], buf.data(), static_cast<size_t>(got)) == got) ++forwarded;
      }
      busy = true;
    }
  }
  std::fprintf(stderr, "tun_ceiling: forwarded %ld packets\n", forwarded);
  return 0;
}
