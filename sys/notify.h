// sd_notify without libsystemd: a datagram to $NOTIFY_SOCKET ("READY=1", "STATUS=...").
#pragma once

#include <string_view>

#include "sys/result.h"

namespace emp::sys {

// A no-op when NOTIFY_SOCKET is not set (not started by systemd with Type=notify).
Result<void> sd_notify(std::string_view state);

}  // namespace emp::sys
