#include "jail/seccomp_profile.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <set>

using emp::config::VassalSpec;
using emp::jail::RuleKind;
using emp::jail::SeccompRule;

namespace {

const SeccompRule* find(const emp::jail::SeccompPlan& p, const std::string& name) {
  for (const auto& r : p.rules)
    if (r.syscall == name) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("every profile rule has a reason, and no call is listed twice") {
  std::set<std::string> seen;
  for (const auto& e : emp::jail::default_profile()) {
    CHECK_MESSAGE(!e.reason.empty(), e.syscall);
    CHECK_MESSAGE(seen.insert(std::string(e.syscall)).second, e.syscall);
  }
}

TEST_CASE("the profile denies what the issue lists") {
  VassalSpec s;
  auto p = emp::jail::seccomp_plan(s, false);
  REQUIRE(p);
  CHECK_FALSE(p->log);
  for (const char* name :
       {"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
        "swapon", "swapoff", "mount", "umount2", "pivot_root", "unshare", "setns", "bpf",
        "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "ptrace",
        "open_by_handle_at", "move_mount", "fsopen", "open_tree"}) {
    const auto* r = find(*p, name);
    REQUIRE_MESSAGE(r, name);
    CHECK_MESSAGE(r->kind == RuleKind::Deny, name);
    CHECK_FALSE(r->from_spec);
  }
  CHECK(find(*p, "clone")->kind == RuleKind::DenyNamespaceFlags);
  CHECK(find(*p, "clone3")->kind == RuleKind::Enosys);
  CHECK(find(*p, "ioctl")->kind == RuleKind::DenyTtyInjection);
}

TEST_CASE("ioctl: only terminal injection is denied; allow lifts it, deny makes it whole") {
  VassalSpec s;
  s.seccomp_allow = {"ioctl"};
  CHECK(find(*emp::jail::seccomp_plan(s, true), "ioctl") == nullptr);
  VassalSpec d;
  d.seccomp_deny = {"ioctl"};
  CHECK(find(*emp::jail::seccomp_plan(d, true), "ioctl")->kind == RuleKind::Deny);
}

TEST_CASE("what the master needs after the filter stays allowed") {
  auto p = emp::jail::seccomp_plan(VassalSpec{}, true);
  REQUIRE(p);
  for (const char* name : {"fork", "vfork", "execve", "execveat", "wait4", "waitid", "kill",
                           "pidfd_send_signal", "pidfd_open", "openat", "read", "socket", "bind",
                           "listen", "accept4", "setsockopt", "prctl", "exit_group"})
    CHECK_MESSAGE(find(*p, name) == nullptr, name);
}

TEST_CASE("in its own pid namespace the vassal may trace its own processes") {
  auto own = emp::jail::seccomp_plan(VassalSpec{}, true);
  auto host = emp::jail::seccomp_plan(VassalSpec{}, false);
  for (const char* name : {"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp"}) {
    CHECK_MESSAGE(find(*own, name) == nullptr, name);
    CHECK_MESSAGE(find(*host, name) != nullptr, name);
  }
  CHECK(host->rules.size() == own->rules.size() + 6);
}

TEST_CASE("seccomp-allow removes, seccomp-deny adds, deny wins over allow") {
  VassalSpec s;
  s.seccomp_allow = {"bpf", "clone3", "read"};
  s.seccomp_deny = {"uname", "mount", "clone", "clone3", "uname"};
  auto p = emp::jail::seccomp_plan(s, true);
  REQUIRE(p);
  CHECK(find(*p, "bpf") == nullptr);
  CHECK(find(*p, "read") == nullptr);  // allowing a call the profile never denied: no rule
  const auto* uname = find(*p, "uname");
  REQUIRE(uname);
  CHECK(uname->kind == RuleKind::Deny);
  CHECK(uname->from_spec);
  CHECK(uname->reason == "seccomp-deny in the vassal file");
  CHECK(std::count_if(p->rules.begin(), p->rules.end(),
                      [](const SeccompRule& r) { return r.syscall == "uname"; }) == 1);
  CHECK(find(*p, "mount")->kind == RuleKind::Deny);
  CHECK_FALSE(find(*p, "mount")->from_spec);  // already in the profile: kept as it is
  // Named outright, clone and clone3 are denied whole, not only their namespace flags.
  CHECK(find(*p, "clone")->kind == RuleKind::Deny);
  CHECK(find(*p, "clone3")->kind == RuleKind::Deny);
  CHECK(find(*p, "clone3")->from_spec);
}

TEST_CASE("seccomp-log and seccomp = off") {
  VassalSpec s;
  s.seccomp_log = true;
  CHECK(emp::jail::seccomp_plan(s, true)->log);
  s.seccomp = emp::config::SeccompMode::Off;
  CHECK_FALSE(emp::jail::seccomp_plan(s, true));
  s.seccomp = emp::config::SeccompMode::Default;
  CHECK(emp::jail::seccomp_plan(s, true));
}

TEST_CASE("rule kinds have names") {
  CHECK(std::string(emp::jail::rule_kind_name(RuleKind::Deny)) == "deny");
  CHECK(std::string(emp::jail::rule_kind_name(RuleKind::DenyNamespaceFlags)) == "deny-namespace-flags");
  CHECK(std::string(emp::jail::rule_kind_name(RuleKind::Enosys)) == "enosys");
  CHECK(std::string(emp::jail::rule_kind_name(RuleKind::DenyTtyInjection)) == "deny-tty-injection");
}

TEST_CASE("docs/jail.md lists every rule of the profile with its reason") {
  std::ifstream in(std::string(EMPEROR_SOURCE_DIR) + "/docs/jail.md");
  REQUIRE(in);
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& e : emp::jail::default_profile()) {
    const std::string row = "| `" + std::string(e.syscall) + "` |";
    const auto at = doc.find(row);
    REQUIRE_MESSAGE(at != std::string::npos, e.syscall);
    const auto line_end = doc.find('\n', at);
    CHECK_MESSAGE(doc.substr(at, line_end - at).find(std::string(e.reason)) != std::string::npos,
                  e.syscall);
  }
}
