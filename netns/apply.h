// Runs netns ops through sys/netlink in the caller's network namespace.
#pragma once

#include "netns/plan.h"
#include "sys/netlink.h"
#include "sys/result.h"

namespace emp::netns {

// One op. CreateTun belongs to the caller (the vassal binary creates the device and keeps
// its fds); passing it here is an error.
Result<void> apply(sys::RouteSocket& socket, const Op& op);

}  // namespace emp::netns
