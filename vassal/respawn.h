// When a dead worker comes back: at once if it had run a while, else after a delay that
// doubles with each young death. Pure, so every case is a unit test.
#pragma once

#include <chrono>
#include <cstdint>

namespace emp::vassal {

using Millis = std::chrono::milliseconds;

inline constexpr Millis kWorkerYoung{10'000};  // dying sooner than this counts as young
inline constexpr Millis kFirstRespawnDelay{100};
inline constexpr Millis kMaxRespawnDelay{30'000};

struct RespawnDecision {
  Millis delay{0};
  uint32_t young_deaths = 0;  // the slot's new count
};

RespawnDecision next_respawn(Millis uptime, uint32_t young_deaths_before);

// A shell that cannot run its command exits 127 (not found) or 126 (not executable); when a
// worker's very first run ends that way at once, the vassal cannot work as configured.
bool looks_like_exec_failure(int exit_code, Millis uptime, bool ever_ran_long);

}  // namespace emp::vassal
