#include "jail/seccomp_profile.h"

#include <algorithm>

namespace emp::jail {

const char* rule_kind_name(RuleKind k) {
  switch (k) {
    case RuleKind::Deny: return "deny";
    case RuleKind::DenyNamespaceFlags: return "deny-namespace-flags";
    case RuleKind::Enosys: return "enosys";
    case RuleKind::DenyTtyInjection: return "deny-tty-injection";
  }
  return "?";
}

const std::vector<ProfileEntry>& default_profile() {
  using K = RuleKind;
  static const std::vector<ProfileEntry> kProfile = {
      // The kernel itself.
      {"init_module", K::Deny, false, "loads code into the host kernel"},
      {"finit_module", K::Deny, false, "loads code into the host kernel"},
      {"delete_module", K::Deny, false, "unloads host kernel modules"},
      {"create_module", K::Deny, false, "obsolete module call; nothing a tenant uses"},
      {"query_module", K::Deny, false, "obsolete module call; nothing a tenant uses"},
      {"get_kernel_syms", K::Deny, false, "obsolete module call; leaks kernel addresses"},
      {"kexec_load", K::Deny, false, "replaces the running host kernel"},
      {"kexec_file_load", K::Deny, false, "replaces the running host kernel"},
      {"reboot", K::Deny, false, "halts or reboots the host (or kills the vassal's pid 1)"},
      {"swapon", K::Deny, false, "changes the host's swap, a host-wide resource"},
      {"swapoff", K::Deny, false, "changes the host's swap, a host-wide resource"},
      {"syslog", K::Deny, false, "reads and clears the host's kernel log, which is not namespaced"},
      {"acct", K::Deny, false, "switches host-wide process accounting"},
      {"settimeofday", K::Deny, false, "sets the host clock: time is not namespaced"},
      {"clock_settime", K::Deny, false, "sets the host clock: time is not namespaced"},
      {"clock_adjtime", K::Deny, false, "steers the host clock: time is not namespaced"},
      {"iopl", K::Deny, false, "raw I/O port access to the host's hardware"},
      {"ioperm", K::Deny, false, "raw I/O port access to the host's hardware"},
      {"quotactl", K::Deny, false, "changes quotas of host filesystems"},
      {"quotactl_fd", K::Deny, false, "changes quotas of host filesystems"},
      {"lookup_dcookie", K::Deny, false, "profiler interface that names host paths"},
      {"uselib", K::Deny, false, "obsolete a.out loader with a history of kernel bugs"},
      {"_sysctl", K::Deny, false, "removed binary sysctl interface"},
      {"nfsservctl", K::Deny, false, "removed NFS server control"},
      {"vhangup", K::Deny, false, "hangs up the controlling terminal; no use for a service"},
      {"ioctl", K::DenyTtyInjection, false,
       "TIOCSTI and TIOCLINUX push input into a terminal the vassal holds an fd of (the "
       "operator's, inherited): typed commands run as the operator; only these requests fail"},
      // The jail's own shape: fixed once setup is done.
      {"mount", K::Deny, false, "the jail's mounts are fixed after setup"},
      {"umount2", K::Deny, false, "the jail's mounts are fixed after setup"},
      {"umount", K::Deny, false, "the jail's mounts are fixed after setup"},
      {"pivot_root", K::Deny, false, "the jail's root is fixed after setup"},
      {"chroot", K::Deny, false, "the jail's root is fixed after setup"},
      {"fsopen", K::Deny, false, "new mount API: as powerful as mount"},
      {"fsconfig", K::Deny, false, "new mount API: as powerful as mount"},
      {"fsmount", K::Deny, false, "new mount API: as powerful as mount"},
      {"fspick", K::Deny, false, "new mount API: as powerful as mount"},
      {"move_mount", K::Deny, false, "new mount API: as powerful as mount"},
      {"open_tree", K::Deny, false, "new mount API: clones mounts"},
      {"mount_setattr", K::Deny, false, "new mount API: changes mount flags"},
      {"open_by_handle_at", K::Deny, false,
       "opens files by handle past the jail's root (the 'shocker' escape)"},
      {"name_to_handle_at", K::Deny, false, "makes handles, which only open_by_handle_at uses"},
      // Namespaces: the vassal keeps the ones the emperor gave it.
      {"unshare", K::Deny, false, "creates namespaces (a user namespace needs no capability)"},
      {"setns", K::Deny, false, "enters other namespaces"},
      {"clone", K::DenyNamespaceFlags, false,
       "fork and threads are clone without namespace flags; with them it creates namespaces"},
      {"clone3", K::Enosys, false,
       "its flags live in memory seccomp cannot read; ENOSYS makes libc fall back to clone"},
      // Kernel attack surface a web tenant never needs.
      {"bpf", K::Deny, false, "loads programs into the kernel"},
      {"perf_event_open", K::Deny, false, "host-wide profiling; a long record of kernel bugs"},
      {"userfaultfd", K::Deny, false, "stalls kernel page faults at will, an exploit primitive"},
      {"keyctl", K::Deny, false, "the kernel keyring is not namespaced"},
      {"add_key", K::Deny, false, "the kernel keyring is not namespaced"},
      {"request_key", K::Deny, false, "the kernel keyring is not namespaced"},
      {"io_uring_setup", K::Deny, false, "io_uring runs I/O that seccomp never sees"},
      {"io_uring_enter", K::Deny, false, "io_uring runs I/O that seccomp never sees"},
      {"io_uring_register", K::Deny, false, "io_uring runs I/O that seccomp never sees"},
      {"fanotify_init", K::Deny, false, "watches whole host filesystems"},
      // Other processes: in the vassal's own pid namespace these reach only its processes.
      {"ptrace", K::Deny, true, "traces processes outside the vassal"},
      {"process_vm_readv", K::Deny, true, "reads the memory of processes outside the vassal"},
      {"process_vm_writev", K::Deny, true, "writes the memory of processes outside the vassal"},
      {"process_madvise", K::Deny, true, "acts on the memory of processes outside the vassal"},
      {"pidfd_getfd", K::Deny, true, "steals fds of processes outside the vassal"},
      {"kcmp", K::Deny, true, "inspects processes outside the vassal"},
  };
  return kProfile;
}

std::optional<SeccompPlan> seccomp_plan(const config::VassalSpec& spec, bool own_pid_namespace) {
  if (spec.seccomp.value_or(config::SeccompMode::Default) == config::SeccompMode::Off)
    return std::nullopt;
  auto listed = [](const std::vector<std::string>& v, std::string_view name) {
    return std::find(v.begin(), v.end(), name) != v.end();
  };
  SeccompPlan out;
  out.log = spec.seccomp_log.value_or(false);
  for (const auto& e : default_profile()) {
    if (e.only_without_pid_namespace && own_pid_namespace) continue;
    if (listed(spec.seccomp_allow, e.syscall) && !listed(spec.seccomp_deny, e.syscall)) continue;
    out.rules.push_back({std::string(e.syscall), e.kind, std::string(e.reason)});
  }
  for (const auto& name : spec.seccomp_deny) {
    auto same = [&](const SeccompRule& r) { return r.syscall == name; };
    auto it = std::find_if(out.rules.begin(), out.rules.end(), same);
    if (it == out.rules.end()) {
      out.rules.push_back({name, RuleKind::Deny, "seccomp-deny in the vassal file", true});
    } else if (it->kind != RuleKind::Deny) {
      // Named outright: every call is denied, not only the namespace-making ones.
      *it = {name, RuleKind::Deny, "seccomp-deny in the vassal file", true};
    }
  }
  return out;
}

}  // namespace emp::jail
