#include "emperor/throttle.h"

#include <algorithm>
#include <cmath>

namespace emp::emperor {

Millis Throttle::delay(uint32_t young_deaths, double unit_random) const {
  if (young_deaths == 0) return Millis{0};
  const double doubled = static_cast<double>(base.count()) *
                         std::pow(2.0, static_cast<double>(std::min<uint32_t>(young_deaths - 1, 40)));
  const double capped = std::min(doubled, static_cast<double>(max.count()));
  const double jittered = capped * (1.0 - kJitter + 2.0 * kJitter * unit_random);
  return Millis(static_cast<int64_t>(std::min(jittered, static_cast<double>(max.count()))));
}

}  // namespace emp::emperor
