// Between "spec received" and "master runs": building the jail (jail/), creating the tun
// device and handing it to the emperor (or bridging it to a uWSGI router), each step
// reported over the channel.
#pragma once

#include <optional>
#include <string>

#include "config/vassal_spec.h"
#include "tuntap/uwsgi_bridge.h"
#include "vassal/backlog.h"
#include "vassal/channel.h"
#include "vassal/listen_sockets.h"
#include "vassal/notify_socket.h"
#include "vassal/protocol.h"

namespace emp::vassal {

struct SetupFailure {
  // NAMESPACE, MOUNT, PIVOT_ROOT, HOOK, HOSTNAME, NETNS, CAPS, ... and SOCKET: a `socket`
  // could not be bound (or chown-socket names nobody).
  std::string step;
  std::string message;  // complete: what failed, on which object, why
};

struct SetupOutcome {
  // tuntap-device-mode = uwsgi: the device joined to the router socket; the master pumps it.
  std::optional<tuntap::UwsgiBridge> bridge;
  // Made after the jail is built, before privileges drop.
  std::vector<ListenSocket> sockets;
  std::optional<NotifySocket> notify;
  std::optional<BacklogProbe> backlog;
  std::vector<std::string> warnings;  // what works without: the readiness protocol, backlog
};

// Builds the jail; on failure returns it (the caller reports it and exits).
std::optional<SetupFailure> set_up(const config::VassalSpec& spec, const StartMessage& start,
                                   Channel* channel, SetupOutcome& outcome);

}  // namespace emp::vassal
