#include "vassal/jail_setup.h"

#include <sys/socket.h>

#include <cstdio>

#include "jail/jail.h"
#include "sys/signal_fd.h"
#include "sys/tun.h"

namespace emp::vassal {
namespace {

constexpr int kInfo = 6, kWarning = 4;  // syslog severities, as the master uses them

// A hook's note goes where the master's own lines go: to the emperor as a LogMessage, or
// (standalone) to stderr. Either way it reaches the log without -v.
void log_note(const StartMessage& start, Channel* channel, const std::string& text, bool warning) {
  if (start.worker_output && channel && channel->open() &&
      channel->send(LogMessage{warning ? kWarning : kInfo, "vassal: " + text}))
    return;
  std::fprintf(stderr, "vassal: %s\n", text.c_str());
}

// SIGTERM, SIGINT or SIGQUIT sent to the vassal while it builds its jail.
sys::CancelWatch signal_watch(sys::SignalFd& signals) {
  return {signals.fd(), [&signals]() -> sys::CancelWatch::Verdict {
            for (int sig : signals.read_signals().value_or(std::vector<int>{}))
              if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
                return {sys::CancelWatch::Verdict::Cancel, sys::signal_name(sig)};
            return {};
          }};
}

// A stop request on the channel (standalone `vassal FILE` relays its SIGTERM this way).
// Anything else is left queued for the master: the channel is not watched any longer.
sys::CancelWatch channel_watch(Channel& channel) {
  return {channel.fd(), [&channel]() -> sys::CancelWatch::Verdict {
            char head[256];
            const ssize_t n =
                ::recv(channel.fd(), head, sizeof head, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) return {};
            if (n <= 0 || static_cast<size_t>(n) > sizeof head)
              return {sys::CancelWatch::Verdict::Ignore, {}};
            auto m = decode(std::string_view(head, static_cast<size_t>(n)));
            if (!m || !std::holds_alternative<StopMessage>(*m))
              return {sys::CancelWatch::Verdict::Ignore, {}};
            (void)channel.receive();
            return {sys::CancelWatch::Verdict::Cancel, "a stop request"};
          }};
}

}  // namespace

std::optional<SetupFailure> set_up(const config::VassalSpec& spec, const StartMessage& start,
                                   Channel* channel, SetupOutcome& outcome) {
  const jail::Plan plan = jail::plan(spec, {start.namespaces, start.force_uid, start.force_gid});
  jail::Callbacks callbacks;
  callbacks.progress = [channel](jail::Step step, const std::string& what) {
    if (channel && channel->open()) (void)channel->send(StepMessage{jail::step_name(step), what});
  };
  callbacks.note = [&start, channel](const std::string& text, bool warning) {
    log_note(start, channel, text, warning);
  };
  // Blocked from here on: the master's own signalfd takes over whatever is still pending.
  // As PID 1 of a pid namespace the vassal would ignore SIGTERM with no handler anyway.
  auto signals = sys::SignalFd::create({SIGTERM, SIGINT, SIGQUIT});
  if (!signals) return SetupFailure{"NAMESPACE", "set up signals: " + signals.error().message};
  callbacks.cancel.push_back(signal_watch(*signals));
  if (channel && channel->open()) callbacks.cancel.push_back(channel_watch(*channel));
  callbacks.create_tun = [&](const std::string& device) -> Result<void> {
    const bool native =
        spec.tuntap_device_mode.value_or(config::TuntapMode::Native) == config::TuntapMode::Native;
    sys::TunOptions options{device, native ? start.tun_queues : 1, native,
                            static_cast<int>(spec.net_mtu.value_or(0))};
    EMP_TRY(auto fds, sys::open_tun(options));
    if (!native) {
      // The router's socket is reached now, before the root changes: the vassal needs no
      // path to it inside its new root.
      EMP_TRY(auto bridge,
              tuntap::UwsgiBridge::connect(spec.tuntap_device->socket, std::move(fds.front())));
      outcome.bridge.emplace(std::move(bridge));
      return ok();
    }
    if (!channel || !channel->open())
      return fail("tun device '" + device + "': no emperor to hand it to");
    std::vector<int> raw;
    for (const auto& fd : fds) raw.push_back(fd.get());
    // The emperor's router owns the queues from here on; our copies close with `fds`.
    return channel->send(TunMessage{device}, raw)
        .context("hand tun device '" + device + "' to the emperor");
  };
  // chown-socket names resolve here, on the host's user databases, like uid and gid.
  auto owner = resolve_socket_owner(spec);
  if (!owner)
    return SetupFailure{"SOCKET", "chown-socket '" + spec.chown_socket.value_or("") +
                                      "': " + owner.error().message};
  std::optional<std::string> socket_failure;
  callbacks.before_drop = [&]() -> Result<void> {
    for (const auto& address : spec.socket) {
      auto bound = bind_listen_socket(address, *owner);
      if (!bound) {
        socket_failure = bound.error().message;
        return forward_error(std::move(bound));
      }
      outcome.sockets.push_back(std::move(*bound));
    }
    if (auto notify = NotifySocket::create(spec.name))
      outcome.notify.emplace(std::move(*notify));
    else
      outcome.warnings.push_back("no readiness protocol: " + notify.error().message);
    if (auto probe = BacklogProbe::open(outcome.sockets))
      outcome.backlog.emplace(std::move(*probe));
    else
      outcome.warnings.push_back("no backlog measure: " + probe.error().message);
    return ok();
  };
  if (auto error = jail::build(plan, callbacks)) {
    if (socket_failure) return SetupFailure{"SOCKET", *socket_failure};
    return SetupFailure{jail::step_name(error->step), jail::message_of(*error)};
  }
  return std::nullopt;
}

}  // namespace emp::vassal
