// The emperor's backoff for vassals that die young: emperor-throttle doubled per consecutive
// young death, capped by emperor-max-throttle, with jitter so that vassals failing together
// do not come back in lockstep. Pure: the caller supplies the random fraction.
#pragma once

#include <chrono>
#include <cstdint>

namespace emp::emperor {

using Millis = std::chrono::milliseconds;

// A vassal that ran at least this long before dying is not "young": it respawns at once.
inline constexpr Millis kVassalYoung{10'000};
inline constexpr double kJitter = 0.2;  // the delay varies by +-20%

struct Throttle {
  Millis base{1'000};
  Millis max{180'000};

  // The delay before start number `young_deaths` + 1; `unit_random` is in [0, 1).
  Millis delay(uint32_t young_deaths, double unit_random) const;
};

}  // namespace emp::emperor
