#include "vassal/jail_setup.h"

#include "jail/jail.h"
#include "sys/tun.h"

namespace emp::vassal {
std::optional<SetupFailure> set_up(const config::VassalSpec& spec, const StartMessage& start,
                                   Channel* channel, SetupOutcome& outcome) {
  const jail::Plan plan = jail::plan(spec, {start.namespaces, start.force_uid, start.force_gid});
  jail::Callbacks callbacks;
  callbacks.progress = [channel](jail::Step step, const std::string& what) {
    if (channel && channel->open()) (void)channel->send(StepMessage{jail::step_name(step), what});
  };
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
    const std::string object = error->object.empty() ? "" : "'" + error->object + "': ";
    return SetupFailure{jail::step_name(error->step), object + error->message};
  }
  return std::nullopt;
}

}  // namespace emp::vassal
