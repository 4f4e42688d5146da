// worker-server: the test application of the workers' root tests and bench/workers.sh. A
// tiny TCP/unix server that takes its listening socket the systemd way (LISTEN_FDS,
// LISTEN_PID, LISTEN_FDNAMES) or binds one itself (--listen), answers each connection with
// one line about itself, and can use the readiness protocol, hold connections, eat memory.
//
//   --listen HOST:PORT   bind instead of using fd 3 (a baseline outside any vassal)
//   --processes N        fork into N processes sharing the socket (with --listen)
//   --delay-ms N         hold each connection N ms before answering (builds a backlog)
//   --notify             READY=1 on NOTIFY_SOCKET once accepting (after --ready-delay-ms)
//   --busy               BUSY=1 / BUSY=0 around each connection
//   --watchdog-ms N      WATCHDOG=1 every N ms ...
//   --watchdog-for-ms N  ... for the first N ms only (then it "hangs", still serving)
//   --alloc-mb N         touch N MiB at start; --alloc-slot S: only the worker in slot S
//   --wait MODE          accept (blocking accept, default), poll (poll then non-blocking
//                        accept: the herd wakes), epollex (EPOLLEXCLUSIVE)
//
// The answer: "pid=P slot=S listen_pid=L listen_fds=N names=X fd3=ADDR wakeups=W spurious=K\n"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sys/unique_fd.h"

namespace {

using emp::sys::UniqueFd;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string listen;
  int processes = 1;
  int delay_ms = 0;
  bool notify = false;
  int ready_delay_ms = 0;
  bool busy = false;
  int watchdog_ms = 0;
  int watchdog_for_ms = -1;
  int alloc_mb = 0;
  int alloc_slot = 0;
  std::string wait = "accept";
};

volatile sig_atomic_t g_stop = 0;
void on_term(int) {
  g_stop = 1;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "worker-server: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

const char* env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

void notify(const std::string& text) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return;
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const size_t len = std::min(std::strlen(path), sizeof addr.sun_path - 1);
  std::memcpy(addr.sun_path, path, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  // MSG_DONTWAIT: a full queue drops a notification rather than stalling the server.
  (void)::sendto(fd.get(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&addr), size);
}

std::string sockname(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "none";
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  if (ss.ss_family == AF_UNIX) {
    const auto* a = reinterpret_cast<const sockaddr_un*>(&ss);
    return a->sun_path[0] ? std::string(a->sun_path) : "unix";
  }
  return "other";
}

int bind_listen(const std::string& spec) {
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos) die("--listen wants HOST:PORT");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::atoi(spec.c_str() + colon + 1)));
  if (::inet_pton(AF_INET, spec.substr(0, colon).c_str(), &a.sin_addr) != 1) die("--listen host");
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) die("bind " + spec);
  if (::listen(fd, 4096) != 0) die("listen");
  return fd;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "worker-server: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--listen")
      o.listen = value();
    else if (a == "--processes")
      o.processes = std::atoi(value().c_str());
    else if (a == "--delay-ms")
      o.delay_ms = std::atoi(value().c_str());
    else if (a == "--notify")
      o.notify = true;
    else if (a == "--ready-delay-ms")
      o.ready_delay_ms = std::atoi(value().c_str());
    else if (a == "--busy")
      o.busy = true;
    else if (a == "--watchdog-ms")
      o.watchdog_ms = std::atoi(value().c_str());
    else if (a == "--watchdog-for-ms")
      o.watchdog_for_ms = std::atoi(value().c_str());
    else if (a == "--alloc-mb")
      o.alloc_mb = std::atoi(value().c_str());
    else if (a == "--alloc-slot")
      o.alloc_slot = std::atoi(value().c_str());
    else if (a == "--wait")
      o.wait = value();
    else {
      std::fprintf(stderr, "worker-server: unknown option '%s'\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

struct Server {
  Options o;
  int listener = -1;
  std::string identity;
  UniqueFd epoll_fd;
  long wakeups = 0, spurious = 0;
  Clock::time_point born = Clock::now();
  Clock::time_point next_watchdog = Clock::now();

  void watchdog_tick() {
    if (o.watchdog_ms <= 0) return;
    const auto now = Clock::now();
    if (o.watchdog_for_ms >= 0 && now - born > std::chrono::milliseconds(o.watchdog_for_ms)) return;
    if (now < next_watchdog) return;
    notify("WATCHDOG=1");
    next_watchdog = now + std::chrono::milliseconds(o.watchdog_ms);
  }

  // Idle workers sleep long: the herd test counts their wakeups.
  int wait_ms() const { return o.watchdog_ms > 0 ? std::max(1, o.watchdog_ms / 2) : 5000; }

  // One connection, or -1 when there was none to take (a timeout or a spurious wakeup).
  int next_connection() {
    if (o.wait == "accept") {
      // SO_RCVTIMEO bounds the blocking accept, so the watchdog ticks and SIGTERM is seen.
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) ++wakeups;
      return fd;
    }
    bool readable = false;
    if (o.wait == "poll") {
      pollfd p{listener, POLLIN, 0};
      readable = ::poll(&p, 1, wait_ms()) > 0;
    } else {
      epoll_event ev{};
      readable = ::epoll_wait(epoll_fd.get(), &ev, 1, wait_ms()) > 0;
    }
    if (!readable) return -1;
    ++wakeups;
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ++spurious;
    if (fd >= 0) ::fcntl(fd, F_SETFL, 0);
    return fd;
  }

  void serve(int raw) {
    UniqueFd conn(raw);
    if (o.busy) notify("BUSY=1");
    if (o.delay_ms > 0) ::usleep(static_cast<useconds_t>(o.delay_ms) * 1000);
    const std::string line = identity + " wakeups=" + std::to_string(wakeups) +
                             " spurious=" + std::to_string(spurious) + "\n";
    (void)::send(conn.get(), line.data(), line.size(), MSG_NOSIGNAL);
    if (o.busy) notify("BUSY=0");
  }

  void run() {
    if (o.wait == "accept") {
      timeval tv{wait_ms() / 1000, (wait_ms() % 1000) * 1000};
      ::setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    } else if (o.wait == "epollex") {
      epoll_fd.reset(::epoll_create1(EPOLL_CLOEXEC));
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLEXCLUSIVE;
      if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, listener, &ev) != 0) die("epoll_ctl");
    } else if (o.wait != "poll") {
      std::fprintf(stderr, "worker-server: --wait accept|poll|epollex\n");
      std::exit(2);
    }
    if (o.ready_delay_ms > 0) ::usleep(static_cast<useconds_t>(o.ready_delay_ms) * 1000);
    if (o.notify) notify("READY=1\nSTATUS=serving " + sockname(listener));
    while (!g_stop) {
      watchdog_tick();
      const int fd = next_connection();
      if (fd >= 0) serve(fd);
    }
    if (o.notify) notify("STOPPING=1");
  }
};

char* volatile g_ballast = nullptr;  // volatile: the compiler may not drop the allocation

void touch_memory(int mb) {
  if (mb <= 0) return;
  const size_t size = static_cast<size_t>(mb) << 20;
  g_ballast = static_cast<char*>(std::malloc(size));
  if (!g_ballast) die("malloc");
  for (size_t i = 0; i < size; i += 4096) g_ballast[i] = 1;  // resident, not only reserved
}

}  // namespace

int main(int argc, char** argv) {
  Server s;
  s.o = parse(argc, argv);
  // The watchdog test ends workers with SIGABRT: no core files from a test server.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  struct sigaction sa {};
  sa.sa_handler = on_term;
  ::sigaction(SIGTERM, &sa, nullptr);  // no SA_RESTART: a blocked accept returns EINTR
  ::sigaction(SIGINT, &sa, nullptr);
  const std::string slot = env_or("EMPEROR_WORKER", "0");
  if (s.o.alloc_slot == 0 || std::atoi(slot.c_str()) == s.o.alloc_slot) touch_memory(s.o.alloc_mb);
  std::vector<pid_t> forked;
  if (!s.o.listen.empty()) {
    s.listener = bind_listen(s.o.listen);
    for (int i = 1; i < s.o.processes; ++i) {
      const pid_t pid = ::fork();
      if (pid < 0) die("fork");
      if (pid == 0) {
        forked.clear();
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // the copies go with the first process
        break;
      }
      forked.push_back(pid);
    }
  } else {
    // sd_listen_fds(3): the fds are ours only if LISTEN_PID names this very process.
    const char* pid = std::getenv("LISTEN_PID");
    if (!pid || std::atoi(pid) != ::getpid() || std::atoi(env_or("LISTEN_FDS", "0")) < 1) {
      std::fprintf(stderr, "worker-server: no socket: LISTEN_PID=%s (mine %d) LISTEN_FDS=%s\n",
                   pid ? pid : "unset", static_cast<int>(::getpid()),
                   env_or("LISTEN_FDS", "unset"));
      return 3;
    }
    s.listener = 3;
  }
  s.identity = "pid=" + std::to_string(::getpid()) + " slot=" + slot +
               " listen_pid=" + env_or("LISTEN_PID", "unset") +
               " listen_fds=" + env_or("LISTEN_FDS", "unset") +
               " names=" + env_or("LISTEN_FDNAMES", "unset") + " fd3=" + sockname(s.listener) +
               " notify=" + (std::getenv("NOTIFY_SOCKET") ? "yes" : "no") +
               " watchdog_usec=" + env_or("WATCHDOG_USEC", "unset");
  s.run();
  for (pid_t pid : forked) ::kill(pid, SIGTERM);
  for (pid_t pid : forked) ::waitpid(pid, nullptr, 0);
  return 0;
}
