// Between "spec received" and "master runs": building the jail (jail/), creating the tun
// device and handing it to the emperor, each step reported over the channel.
#pragma once

#include <optional>
#include <string>

#include "config/vassal_spec.h"
#include "vassal/channel.h"
#include "vassal/protocol.h"

namespace emp::vassal {

struct SetupFailure {
  std::string step;     // NAMESPACE, MOUNT, PIVOT_ROOT, HOOK, HOSTNAME, NETNS, CAPS, ...
  std::string message;  // complete: what failed, on which object, why
};

// Returns the failure, if any; the caller reports it and exits.
std::optional<SetupFailure> set_up(const config::VassalSpec& spec, const StartMessage& start,
                                   Channel* channel);

}  // namespace emp::vassal
