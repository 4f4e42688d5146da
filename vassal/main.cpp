// vassal: one vassal's process. Started by the emperor (--channel FD), it receives its spec,
// builds its jail and runs its workers. `vassal FILE` runs one vassal file in the foreground
// without an emperor: it launches itself exactly as the emperor would and relays.
// No <iostream> here: its static initialiser builds every locale facet at each start
// (~1.5 ms and 20 page faults per exec on the development VM), paid by every vassal spawn.
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "config/emperor_spec.h"
#include "config/loader.h"
#include "config/spec_json.h"
#include "config/system_env.h"
#include "sys/epoll.h"
#include "sys/signal_fd.h"
#include "vassal/channel.h"
#include "vassal/jail_setup.h"
#include "vassal/launcher.h"
#include "vassal/master.h"

namespace emp::vassal {
namespace {

constexpr const char* kUsage =
    "usage: vassal [--use-clone NS,...] [-v] [--heartbeats] FILE\n"
    "       run one vassal file in the foreground\n"
    "       -v: print each jail step\n"
    "       --heartbeats: print each heartbeat (workers, pool, sockets) as a JSON line on stdout\n"
    "       (vassal --channel FD is how the emperor starts a vassal)\n";

constexpr int kStartTimeoutMs = 30'000;

void say(const std::string& line) {
  std::fprintf(stderr, "vassal: %s\n", line.c_str());
}

// --- started by the emperor -------------------------------------------------------------

Result<StartMessage> receive_start(Channel& channel) {
  pollfd p{channel.fd(), POLLIN, 0};
  const int r = ::poll(&p, 1, kStartTimeoutMs);
  if (r == 0) return fail("no start message from the emperor within 30s");
  if (r < 0) return fail_errno("poll channel");
  EMP_TRY(auto in, channel.receive());
  if (!in) return fail("channel: no start message");
  auto* start = std::get_if<StartMessage>(&in->message);
  if (!start) return fail("channel: expected a start message");
  return std::move(*start);
}

int run_channel(int fd) {
  // fd 3 came through exec without O_CLOEXEC; workers must not inherit it.
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    say("channel fd " + std::to_string(fd) + ": " + std::strerror(errno));
    return 1;
  }
  // Nor anything else our starter left open (a shell's fds when run as `vassal FILE`): the
  // workers get fds 0-2 and the listening sockets, nothing more.
  if (::close_range(static_cast<unsigned>(fd) + 1, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    say(std::string("close_range: ") + std::strerror(errno));
    return 1;
  }
  Channel channel{sys::UniqueFd(fd)};
  auto start = receive_start(channel);
  if (!start) {
    say(start.error().message);
    return 1;
  }
  auto spec = config::vassal_from_json(start->spec_json, config::system_name_check());
  if (!spec) {
    (void)channel.send(ErrorMessage{"NAMESPACE", spec.error().message});
    return 1;
  }
  SetupOutcome outcome;
  if (auto failure = set_up(*spec, *start, &channel, outcome)) {
    // Whoever reads the channel (the emperor, or `vassal FILE`) logs it; once is enough.
    if (!channel.send(ErrorMessage{failure->step, failure->message}))
      say(failure->step + ": " + failure->message);
    return 1;
  }
  auto master = Master::create({*spec, &channel, ::getpid() == 1, std::move(outcome.bridge),
                                std::move(outcome.sockets), std::move(outcome.notify),
                                std::move(outcome.backlog), std::move(outcome.warnings),
                                start->worker_output});
  if (!master) {
    (void)channel.send(ErrorMessage{"EXEC", master.error().message});
    return 1;
  }
  return (*master)->run();
}

// --- standalone ---------------------------------------------------------------------------

struct Standalone {
  config::VassalSpec spec;
  config::NamespaceSet namespaces;
};

Result<Standalone> load(const std::string& file, const std::optional<std::string>& use_clone) {
  auto loaded = config::load_vassal(file, config::system_load_env());
  for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
  if (!loaded.spec) return fail("'" + file + "' is not valid");
  Standalone s{std::move(*loaded.spec), config::default_use_clone()};
  if (use_clone) {
    auto parsed = config::parse_namespace_list(*use_clone);
    if (!parsed) return fail("--use-clone: " + parsed.error().message);
    s.namespaces = *parsed;
  }
  s.namespaces.add(s.spec.unshare);
  if (s.spec.tuntap_device &&
      s.spec.tuntap_device_mode.value_or(config::TuntapMode::Native) == config::TuntapMode::Native)
    return fail(
        "'tuntap-device' needs the emperor's router: run this vassal under 'emperor run', "
        "or set 'tuntap-device-mode = uwsgi' to attach to a router socket yourself");
  return s;
}

int run_standalone(const std::string& file, const std::optional<std::string>& use_clone,
                   bool verbose, bool heartbeats) {
  auto s = load(file, use_clone);
  if (!s) {
    say(s.error().message);
    return 1;
  }
  sys::UniqueFd self(::open("/proc/self/exe", O_PATH | O_CLOEXEC));
  if (!self) {
    say(std::string("open /proc/self/exe: ") + std::strerror(errno));
    return 1;
  }
  VassalBinary binary{std::move(self), "/proc/self/exe"};
  auto signals = sys::SignalFd::create({SIGTERM, SIGINT, SIGHUP, SIGQUIT});
  auto epoll = sys::Epoll::create();
  if (!signals || !epoll) {
    say("set up signals: " + (!signals ? signals.error().message : epoll.error().message));
    return 1;
  }
  auto launched = launch({&binary, s->spec.name, s->namespaces, STDOUT_FILENO, STDERR_FILENO});
  if (!launched) {
    say(launched.error().message);
    return 1;
  }
  Channel channel(std::move(launched->channel));
  const std::string spec_json = config::to_json(s->spec);
  if (auto sent = channel.send(StartMessage{spec_json, s->namespaces, {}, {}, 1}); !sent) {
    say(sent.error().message);
    return 1;
  }
  (void)epoll->add(signals->fd(), EPOLLIN, 1);
  (void)epoll->add(channel.fd(), EPOLLIN, 2);
  (void)epoll->add(launched->process.pidfd(), EPOLLIN, 3);
  bool fatal = false;
  for (;;) {
    auto events = epoll->wait(std::chrono::milliseconds(-1));
    if (!events) {
      say(events.error().message);
      return 1;
    }
    for (const auto& ev : *events) {
      if (ev.data.u64 == 1) {
        for (int sig : signals->read_signals().value_or(std::vector<int>{})) {
          if (sig == SIGHUP)
            (void)channel.send(ReloadMessage{spec_json});
          else
            (void)channel.send(StopMessage{});
        }
      } else if (ev.data.u64 == 2) {
        for (;;) {
          auto in = channel.receive();
          if (!in || !*in) {
            if (!in) channel.close();  // closing drops it from epoll too
            break;
          }
          if (auto* step = std::get_if<StepMessage>(&(*in)->message); step && verbose)
            say(step->what);
          if (std::holds_alternative<ReadyMessage>((*in)->message))
            say(s->spec.name + " is running");
          if (heartbeats && std::holds_alternative<HeartbeatMessage>((*in)->message)) {
            std::printf("%s\n", encode((*in)->message).c_str());
            std::fflush(stdout);
          }
          if (auto* err = std::get_if<ErrorMessage>(&(*in)->message)) {
            say(err->step + " failed: " + err->message);
            fatal = true;
          }
        }
      } else if (ev.data.u64 == 3) {
        auto status = launched->process.wait();
        if (!status) return 1;
        return fatal ? 1 : status->shell_code();
      }
    }
  }
}

}  // namespace
}  // namespace emp::vassal

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::optional<std::string> use_clone;
  std::optional<int> channel_fd;
  bool verbose = false;
  bool heartbeats = false;
  std::string file;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if ((a == "--channel" || a == "--use-clone" || a == "--name") && i + 1 < args.size()) {
      if (a == "--channel")
        channel_fd = std::atoi(args[++i].c_str());
      else if (a == "--use-clone")
        use_clone = args[++i];
      else
        ++i;  // --name only labels the process for ps
    } else if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a == "--heartbeats") {
      heartbeats = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(emp::vassal::kUsage, stdout);
      return 0;
    } else if (!a.empty() && a[0] != '-' && file.empty()) {
      file = a;
    } else {
      std::fprintf(stderr, "vassal: unexpected argument '%s'\n%s", a.c_str(), emp::vassal::kUsage);
      return 2;
    }
  }
  if (channel_fd) return emp::vassal::run_channel(*channel_fd);
  if (file.empty()) {
    std::fputs(emp::vassal::kUsage, stderr);
    return 2;
  }
  return emp::vassal::run_standalone(file, use_clone, verbose, heartbeats);
}
