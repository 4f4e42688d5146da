#include "vassal/respawn.h"

#include <algorithm>

namespace emp::vassal {

RespawnDecision next_respawn(Millis uptime, uint32_t young_deaths_before) {
  if (uptime >= kWorkerYoung) return {Millis{0}, 0};
  const uint32_t n = young_deaths_before + 1;
  // 100ms, 200ms, 400ms ... capped; the shift is bounded so it cannot overflow.
  const auto shift = std::min<uint32_t>(n - 1, 20);
  const Millis delay = std::min(kMaxRespawnDelay, Millis(kFirstRespawnDelay.count() << shift));
  return {delay, n};
}

bool looks_like_exec_failure(int exit_code, Millis uptime, bool ever_ran_long) {
  return !ever_ran_long && (exit_code == 127 || exit_code == 126) && uptime < Millis{2'000};
}

}  // namespace emp::vassal
