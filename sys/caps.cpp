#include "sys/caps.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <string>

namespace emp::sys {
namespace {

bool has(CapMask m, int c) { return (m >> c) & 1u; }

std::string cap_text(int c) {
  char* name = ::cap_to_name(static_cast<cap_value_t>(c));
  std::string out = name ? name : std::to_string(c);
  ::cap_free(name);
  return out;
}

}  // namespace

void CapDeleter::operator()(_cap_struct* c) const { ::cap_free(c); }

int last_capability() { return static_cast<int>(::cap_max_bits()) - 1; }

Result<void> drop_bounding(CapMask keep) {
  for (int c = 0; c <= last_capability(); ++c) {
    if (has(keep, c)) continue;
    if (::cap_drop_bound(static_cast<cap_value_t>(c)) != 0)
      return fail_errno("drop '" + cap_text(c) + "' from the bounding set");
  }
  return ok();
}

Result<void> set_process_caps(CapMask caps) {
  CapPtr state(::cap_init());
  if (!state) return fail_errno("set capabilities");
  for (int c = 0; c <= last_capability(); ++c) {
    if (!has(caps, c)) continue;
    const cap_value_t v = static_cast<cap_value_t>(c);
    for (cap_flag_t flag : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE})
      if (::cap_set_flag(state.get(), flag, 1, &v, CAP_SET) != 0)
        return fail_errno("set capability '" + cap_text(c) + "'");
  }
  if (::cap_set_proc(state.get()) != 0) return fail_errno("set capabilities");
  return ok();
}

Result<void> set_ambient(CapMask caps) {
  if (::cap_reset_ambient() != 0) return fail_errno("clear the ambient set");
  for (int c = 0; c <= last_capability(); ++c) {
    if (!has(caps, c)) continue;
    if (::cap_set_ambient(static_cast<cap_value_t>(c), CAP_SET) != 0)
      return fail_errno("raise ambient '" + cap_text(c) + "'");
  }
  return ok();
}

Result<void> set_keep_caps(bool keep) {
  if (::prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) != 0) return fail_errno("set keep-caps");
  return ok();
}

Result<void> set_no_new_privs() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail_errno("set no_new_privs");
  return ok();
}

Result<CapSets> current_caps() {
  CapPtr state(::cap_get_proc());
  if (!state) return fail_errno("read capabilities");
  CapSets out;
  for (int c = 0; c <= last_capability(); ++c) {
    const cap_value_t v = static_cast<cap_value_t>(c);
    const CapMask bit = CapMask{1} << c;
    cap_flag_value_t value = CAP_CLEAR;
    if (::cap_get_flag(state.get(), v, CAP_EFFECTIVE, &value) == 0 && value) out.effective |= bit;
    if (::cap_get_flag(state.get(), v, CAP_PERMITTED, &value) == 0 && value) out.permitted |= bit;
    if (::cap_get_flag(state.get(), v, CAP_INHERITABLE, &value) == 0 && value)
      out.inheritable |= bit;
    if (::cap_get_bound(v) == 1) out.bounding |= bit;
    if (::cap_get_ambient(v) == 1) out.ambient |= bit;
  }
  return out;
}

}  // namespace emp::sys
