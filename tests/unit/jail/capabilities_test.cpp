#include "jail/capabilities.h"

#include <doctest/doctest.h>

using emp::jail::capability_list;
using emp::jail::capability_mask;
using emp::jail::capability_name;
using emp::jail::capability_number;
using emp::jail::canonical_capability;

TEST_CASE("canonical names") {
  CHECK(canonical_capability("net_bind_service") == "cap_net_bind_service");
  CHECK(canonical_capability("cap_net_bind_service") == "cap_net_bind_service");
  CHECK(canonical_capability("CAP_NET_BIND_SERVICE") == "cap_net_bind_service");
  CHECK(canonical_capability("Net_Admin") == "cap_net_admin");
  CHECK(canonical_capability("") == "cap_");
}

TEST_CASE("numbers are the kernel's") {
  CHECK(capability_number("cap_chown") == 0);
  CHECK(capability_number("cap_kill") == 5);
  CHECK(capability_number("cap_net_bind_service") == 10);
  CHECK(capability_number("cap_sys_admin") == 21);
  CHECK(capability_number("cap_checkpoint_restore") == 40);
  CHECK_FALSE(capability_number("net_bind_service"));  // canonical names only
  CHECK_FALSE(capability_number("cap_"));
  CHECK_FALSE(capability_number("cap_fly"));
  for (int i = 0; i <= emp::jail::kLastKnownCapability; ++i)
    CHECK(capability_number(capability_name(i)) == i);
  CHECK(capability_name(41) == "cap_41");
}

TEST_CASE("masks and lists") {
  auto m = capability_mask({"kill", "CAP_NET_BIND_SERVICE", "cap_kill"});
  REQUIRE(m);
  CHECK(*m == ((1ull << 5) | (1ull << 10)));
  CHECK(capability_list(*m) == "cap_kill,cap_net_bind_service");
  CHECK(capability_list(0) == "none");
  CHECK(*capability_mask({}) == 0);

  auto bad = capability_mask({"kill", "fly"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "unknown capability 'fly'");
  CHECK(capability_mask({""}).error().message == "unknown capability ''");
  CHECK(capability_mask({"cap_"}).error().message == "unknown capability 'cap_'");
  CHECK(capability_mask({"cap_cap_kill"}).error().message == "unknown capability 'cap_cap_kill'");
  CHECK(capability_mask({"0"}).error().message == "unknown capability '0'");
}
