// Capability names and the set a vassal keeps, computed without libcap: the numbers are
// kernel ABI (include/uapi/linux/capability.h) and never change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sys/result.h"

namespace emp::jail {

// Bit N is capability number N.
using CapMask = uint64_t;

// The last capability this table knows (CAP_CHECKPOINT_RESTORE, Linux 5.9).
inline constexpr int kLastKnownCapability = 40;

// "net_bind_service", "CAP_NET_BIND_SERVICE", "cap_net_bind_service" -> "cap_net_bind_service"
std::string canonical_capability(std::string_view name);
// Canonical name -> number; nullopt when unknown.
std::optional<int> capability_number(std::string_view canonical);
// Number -> canonical name; "cap_N" past the table.
std::string capability_name(int number);

// The `cap` list as a mask. Errors read: unknown capability 'foo'
Result<CapMask> capability_mask(const std::vector<std::string>& names);
// "cap_kill,cap_net_bind_service" (by number), or "none".
std::string capability_list(CapMask mask);

}  // namespace emp::jail
