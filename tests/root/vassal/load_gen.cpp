// load-gen: a bounded connection load for the workers' root tests and bench/workers.sh.
// Keeps C connections in flight (connect, read the one-line answer to EOF, close) until
// N connections are done or S seconds have passed, whichever comes first, then prints one
// JSON object: {"ok":..,"failed":..,"seconds":..,"cps":..,"errors":{..},"pids":{..}}.
//
//   load-gen (--tcp HOST:PORT | --tcp [IPV6]:PORT | --unix PATH) [--concurrency C] [--count N]
//   [--seconds S]
//            [--timeout-ms T]
//
// A connection fails when it is refused or reset, or gets no complete answer within T ms
// (default 10000). "pids" counts answers per "pid=" of the worker that gave them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "sys/unique_fd.h"

namespace {

using emp::sys::UniqueFd;
using Clock = std::chrono::steady_clock;

struct Target {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

struct Slot {
  UniqueFd fd;
  std::string answer;
  Clock::time_point deadline{};
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: load-gen (--tcp HOST:PORT | --unix PATH) [--concurrency C] [--count N] "
               "[--seconds S] [--timeout-ms T]\n");
  std::exit(2);
}

Target parse_target(const std::string& tcp, const std::string& path) {
  Target t;
  if (!path.empty()) {
    auto* a = reinterpret_cast<sockaddr_un*>(&t.addr);
    a->sun_family = AF_UNIX;
    if (path.size() >= sizeof a->sun_path) usage();
    std::memcpy(a->sun_path, path.c_str(), path.size() + 1);
    t.len = sizeof *a;
    return t;
  }
  const auto colon = tcp.rfind(':');
  if (colon == std::string::npos) usage();
  const auto port = htons(static_cast<uint16_t>(std::atoi(tcp.c_str() + colon + 1)));
  if (tcp.front() == '[') {  // [IPV6]:PORT
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&t.addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = port;
    if (colon < 2 || ::inet_pton(AF_INET6, tcp.substr(1, colon - 2).c_str(), &a6->sin6_addr) != 1)
      usage();
    t.len = sizeof *a6;
    return t;
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&t.addr);
  a->sin_family = AF_INET;
  a->sin_port = port;
  if (::inet_pton(AF_INET, tcp.substr(0, colon).c_str(), &a->sin_addr) != 1) usage();
  t.len = sizeof *a;
  return t;
}

struct Run {
  Target target;
  int timeout_ms = 10'000;
  UniqueFd ep;
  long ok = 0, failed = 0, started = 0;
  std::map<std::string, long> errors, pids;

  void fail(Slot& s, const std::string& why) {
    ++failed;
    ++errors[why];
    ::epoll_ctl(ep.get(), EPOLL_CTL_DEL, s.fd.get(), nullptr);
    s.fd.reset();
  }

  void finish(Slot& s) {
    ::epoll_ctl(ep.get(), EPOLL_CTL_DEL, s.fd.get(), nullptr);
    s.fd.reset();
    if (s.answer.empty() || s.answer.back() != '\n') {
      ++failed;
      ++errors["incomplete answer"];
      return;
    }
    ++ok;
    const auto p = s.answer.find("pid=");
    if (p != std::string::npos) ++pids[s.answer.substr(p + 4, s.answer.find(' ', p) - p - 4)];
  }

  void start(Slot& s, size_t index) {
    s.answer.clear();
    s.fd.reset(::socket(target.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    ++started;
    if (!s.fd) {
      ++failed;
      ++errors[std::string("socket: ") + std::strerror(errno)];
      return;
    }
    s.deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    if (::connect(s.fd.get(), reinterpret_cast<const sockaddr*>(&target.addr), target.len) != 0 &&
        errno != EINPROGRESS && errno != EAGAIN) {
      fail(s, std::string("connect: ") + std::strerror(errno));
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = index;
    ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, s.fd.get(), &ev);
  }

  void on_ready(Slot& s) {
    char buf[512];
    for (;;) {
      const ssize_t n = ::recv(s.fd.get(), buf, sizeof buf, 0);
      if (n > 0) {
        s.answer.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) return finish(s);
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      return fail(s, std::string("recv: ") + std::strerror(errno));
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string tcp, path;
  long count = 1000, concurrency = 8;
  double seconds = 10;
  Run run;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage();
    const std::string v = argv[++i];
    if (a == "--tcp")
      tcp = v;
    else if (a == "--unix")
      path = v;
    else if (a == "--count")
      count = std::atol(v.c_str());
    else if (a == "--concurrency")
      concurrency = std::atol(v.c_str());
    else if (a == "--seconds")
      seconds = std::atof(v.c_str());
    else if (a == "--timeout-ms")
      run.timeout_ms = std::atoi(v.c_str());
    else
      usage();
  }
  if (tcp.empty() == path.empty() || count < 1 || concurrency < 1 || seconds <= 0) usage();
  run.target = parse_target(tcp, path);
  run.ep.reset(::epoll_create1(EPOLL_CLOEXEC));
  std::vector<Slot> slots(static_cast<size_t>(std::min(concurrency, count)));
  const auto t0 = Clock::now();
  const auto end =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (size_t i = 0; i < slots.size(); ++i) run.start(slots[i], i);
  std::vector<epoll_event> events(slots.size());
  for (;;) {
    const auto now = Clock::now();
    const bool time_up = now >= end;
    long in_flight = 0;
    for (size_t i = 0; i < slots.size(); ++i) {
      Slot& s = slots[i];
      if (s.fd && now >= s.deadline) run.fail(s, "timeout");
      if (!s.fd && !time_up && run.started < count) run.start(s, i);
      if (s.fd) ++in_flight;
    }
    if (in_flight == 0) break;
    const int n = ::epoll_wait(run.ep.get(), events.data(), static_cast<int>(events.size()), 50);
    for (int k = 0; k < n; ++k) {
      Slot& s = slots[events[static_cast<size_t>(k)].data.u64];
      if (s.fd) run.on_ready(s);
    }
  }
  const double took = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("{\"ok\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"cps\":%.1f,\"errors\":{", run.ok,
              run.failed, took, took > 0 ? static_cast<double>(run.ok) / took : 0.0);
  bool first = true;
  for (const auto& [why, n] : run.errors) {
    std::printf("%s\"%s\":%ld", first ? "" : ",", why.c_str(), n);
    first = false;
  }
  std::printf("},\"pids\":{");
  first = true;
  for (const auto& [pid, n] : run.pids) {
    std::printf("%s\"%s\":%ld", first ? "" : ",", pid.c_str(), n);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}
