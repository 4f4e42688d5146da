// Whether a heartbeat is worth sending. The master samples its workers every second; an idle
// empire of hundreds of vassals should not wake the emperor hundreds of times a second to
// learn that nothing happened. Pure, so the thresholds are tested plainly.
#pragma once

#include <chrono>

#include "vassal/protocol.h"

namespace emp::vassal {

// A worker's memory moves by at least this much, in bytes and in share, before it is news.
inline constexpr uint64_t kMemoryNewsBytes = 1024 * 1024;
inline constexpr uint64_t kMemoryNewsPercent = 5;
// Even with no news a heartbeat goes out this often, so status never shows older samples
// (RSS, watchdog times) than this.
inline constexpr std::chrono::milliseconds kHeartbeatKeepalive{30'000};

// Memory moved enough to be reported: |a - b| >= 1 MiB or >= 5% of the larger.
bool memory_moved(uint64_t before, uint64_t now);

// `next` differs from `last` in anything but small memory movements and watchdog times.
bool heartbeat_is_news(const HeartbeatMessage& last, const HeartbeatMessage& next);

}  // namespace emp::vassal
