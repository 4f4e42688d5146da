// The tenant seccomp profile as data: each rule names a system call, what happens to it and
// why. Everything not listed is allowed, so the vassal master can still fork, exec, wait,
// signal its workers, read /proc and bind sockets after the filter is loaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/vassal_spec.h"

namespace emp::jail {

enum class RuleKind : uint8_t {
  Deny,                // fails with EPERM
  DenyNamespaceFlags,  // fails with EPERM when its flags ask for a new namespace (clone)
  Enosys,              // fails with ENOSYS, so libc falls back to a call we can check
  DenyTtyInjection,    // ioctl: fails with EPERM when the request is TIOCSTI or TIOCLINUX
};
// "deny", "deny-namespace-flags", "enosys", "deny-tty-injection"
const char* rule_kind_name(RuleKind k);

struct SeccompRule {
  std::string syscall;
  RuleKind kind = RuleKind::Deny;
  std::string reason;
  // Named in the vassal file: a name libseccomp does not know is an error. Profile rules
  // naming calls this architecture never had (umount on x86_64) are skipped instead.
  bool from_spec = false;
  friend bool operator==(const SeccompRule&, const SeccompRule&) = default;
};

struct ProfileEntry {
  std::string_view syscall;
  RuleKind kind;
  // Denied only when the vassal shares the host's pid namespace: in its own, these reach
  // only the vassal's processes.
  bool only_without_pid_namespace;
  std::string_view reason;
};
// The default profile, in the order rules are added.
const std::vector<ProfileEntry>& default_profile();

struct SeccompPlan {
  bool log = false;  // seccomp-log: every rule logs (SCMP_ACT_LOG) instead of failing
  std::vector<SeccompRule> rules;
  friend bool operator==(const SeccompPlan&, const SeccompPlan&) = default;
};

// The vassal's filter: the default profile minus seccomp-allow plus seccomp-deny (a call in
// both stays denied); nullopt with seccomp = off.
std::optional<SeccompPlan> seccomp_plan(const config::VassalSpec& spec, bool own_pid_namespace);

}  // namespace emp::jail
