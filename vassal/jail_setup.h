// Between "spec received" and "master runs": building the jail (jail/), creating the tun
// device and handing it to the emperor (or bridging it to a uWSGI router), each step
// reported over the channel.
#pragma once

#include <optional>
#include <string>

#include "config/vassal_spec.h"
#include "tuntap/uwsgi_bridge.h"
#include "vassal/channel.h"
#include "vassal/protocol.h"

namespace emp::vassal {

struct SetupFailure {
  std::string step;     // NAMESPACE, MOUNT, PIVOT_ROOT, HOOK, HOSTNAME, NETNS, CAPS, ...
  std::string message;  // complete: what failed, on which object, why
};

struct SetupOutcome {
  // tuntap-device-mode = uwsgi: the device joined to the router socket; the master pumps it.
  std::optional<tuntap::UwsgiBridge> bridge;
};

// Builds the jail; on failure returns it (the caller reports it and exits).
std::optional<SetupFailure> set_up(const config::VassalSpec& spec, const StartMessage& start,
                                   Channel* channel, SetupOutcome& outcome);

}  // namespace emp::vassal
