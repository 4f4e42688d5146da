// Name tables of system libraries: capabilities (libcap) and system calls (libseccomp).
#pragma once

#include <optional>
#include <string_view>

namespace emp::sys {

// "cap_net_bind_service" -> its number; nullopt when libcap does not know it.
std::optional<int> capability_number(std::string_view name);
// "read" -> its number on this architecture; nullopt when libseccomp does not know it.
std::optional<int> syscall_number(std::string_view name);

}  // namespace emp::sys
