#include "sys/names.h"

#include <seccomp.h>
#include <sys/capability.h>

#include <string>

namespace emp::sys {

std::optional<int> capability_number(std::string_view name) {
  cap_value_t value = 0;
  const std::string n(name);
  // cap_from_name also takes numbers; only names are accepted in vassal files.
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return std::nullopt;
  if (::cap_from_name(n.c_str(), &value) != 0) return std::nullopt;
  return static_cast<int>(value);
}

std::optional<int> syscall_number(std::string_view name) {
  const std::string n(name);
  const int nr = ::seccomp_syscall_resolve_name(n.c_str());
  if (nr == __NR_SCMP_ERROR) return std::nullopt;
  return nr;
}

}  // namespace emp::sys
