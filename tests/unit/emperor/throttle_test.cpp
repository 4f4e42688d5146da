#include <doctest/doctest.h>

#include "emperor/throttle.h"

namespace emp::emperor {
namespace {

TEST_CASE("the delay doubles per young death, with +-20% jitter, capped") {
  Throttle t{Millis{1000}, Millis{30'000}};
  CHECK(t.delay(0, 0.5) == Millis{0});
  CHECK(t.delay(1, 0.5) == Millis{1000});
  CHECK(t.delay(2, 0.5) == Millis{2000});
  CHECK(t.delay(3, 0.5) == Millis{4000});
  CHECK(t.delay(1, 0.0) == Millis{800});
  CHECK(t.delay(1, 0.999999) == Millis{1199});
  CHECK(t.delay(5, 0.5) == Millis{16000});
  CHECK(t.delay(6, 0.5) == Millis{30000});
  CHECK(t.delay(6, 0.999) == Millis{30000});  // jitter never pushes past the cap
  CHECK(t.delay(6, 0.0) == Millis{24000});
  CHECK(t.delay(1000, 0.5) == Millis{30000});
}

}  // namespace
}  // namespace emp::emperor
