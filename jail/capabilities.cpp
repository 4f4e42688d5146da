#include "jail/capabilities.h"

#include <array>

namespace emp::jail {
namespace {

constexpr std::array<std::string_view, kLastKnownCapability + 1> kNames = {
    "cap_chown",            "cap_dac_override",   "cap_dac_read_search", "cap_fowner",
    "cap_fsetid",           "cap_kill",           "cap_setgid",          "cap_setuid",
    "cap_setpcap",          "cap_linux_immutable", "cap_net_bind_service", "cap_net_broadcast",
    "cap_net_admin",        "cap_net_raw",        "cap_ipc_lock",        "cap_ipc_owner",
    "cap_sys_module",       "cap_sys_rawio",      "cap_sys_chroot",      "cap_sys_ptrace",
    "cap_sys_pacct",        "cap_sys_admin",      "cap_sys_boot",        "cap_sys_nice",
    "cap_sys_resource",     "cap_sys_time",       "cap_sys_tty_config",  "cap_mknod",
    "cap_lease",            "cap_audit_write",    "cap_audit_control",   "cap_setfcap",
    "cap_mac_override",     "cap_mac_admin",      "cap_syslog",          "cap_wake_alarm",
    "cap_block_suspend",    "cap_audit_read",     "cap_perfmon",         "cap_bpf",
    "cap_checkpoint_restore",
};

}  // namespace

std::string canonical_capability(std::string_view name) {
  std::string lower;
  for (char c : name) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return lower.rfind("cap_", 0) == 0 ? lower : "cap_" + lower;
}

std::optional<int> capability_number(std::string_view canonical) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == canonical) return static_cast<int>(i);
  return std::nullopt;
}

std::string capability_name(int number) {
  if (number >= 0 && number <= kLastKnownCapability) return std::string(kNames[number]);
  return "cap_" + std::to_string(number);
}

Result<CapMask> capability_mask(const std::vector<std::string>& names) {
  CapMask mask = 0;
  for (const auto& name : names) {
    const auto n = capability_number(canonical_capability(name));
    if (!n) return fail("unknown capability '" + name + "'");
    mask |= CapMask{1} << *n;
  }
  return mask;
}

std::string capability_list(CapMask mask) {
  std::string out;
  for (int c = 0; c < 64; ++c)
    if ((mask >> c) & 1u) out += (out.empty() ? "" : ",") + capability_name(c);
  return out.empty() ? "none" : out;
}

}  // namespace emp::jail
