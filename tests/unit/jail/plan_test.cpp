#include "jail/plan.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using emp::config::Namespace;
using emp::config::NamespaceSet;
using emp::config::VassalSpec;
using emp::jail::JailContext;
using emp::jail::OpKind;
using emp::jail::Step;
using Lines = std::vector<std::string>;

namespace {

JailContext all_namespaces() {
  JailContext ctx;
  for (auto ns : emp::config::kAllNamespaces) ctx.namespaces.add(ns);
  return ctx;
}

JailContext only(std::initializer_list<Namespace> list) {
  JailContext ctx;
  for (auto ns : list) ctx.namespaces.add(ns);
  return ctx;
}

emp::config::Hook hook(const char* text) { return *emp::config::parse_hook(text); }
emp::config::Hook exec(const char* text) { return *emp::config::parse_exec_hook(text); }

VassalSpec with_uid(const char* uid) {
  VassalSpec s;
  s.uid = std::string(uid);
  return s;
}

// The op lines after the first, "IDENTITY new-session" (every applicable plan starts with
// it; a test below says so).
Lines lines(const VassalSpec& s, const JailContext& ctx) {
  auto l = emp::jail::describe(emp::jail::plan(s, ctx));
  if (!l.empty() && l.front() == "IDENTITY new-session") l.erase(l.begin());
  return l;
}

const Lines kDrop = {
    "MOUNT protect-proc /proc/sys",       "MOUNT protect-proc /proc/sysrq-trigger",
    "MOUNT protect-proc /proc/irq",       "MOUNT protect-proc /proc/bus",
    "MOUNT protect-proc /sys",
    "IDENTITY before-drop",               "CAPS drop-bounding none",
    "CAPS set-caps none",                 "CAPS set-ambient none",
    "CAPS no-new-privs",                  "SECCOMP load-seccomp"};

Lines concat(std::initializer_list<Lines> parts) {
  Lines out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("step names are the ones the emperor shows") {
  CHECK(std::string(emp::jail::step_name(Step::Namespace)) == "NAMESPACE");
  CHECK(std::string(emp::jail::step_name(Step::Mount)) == "MOUNT");
  CHECK(std::string(emp::jail::step_name(Step::PivotRoot)) == "PIVOT_ROOT");
  CHECK(std::string(emp::jail::step_name(Step::Hook)) == "HOOK");
  CHECK(std::string(emp::jail::step_name(Step::Hostname)) == "HOSTNAME");
  CHECK(std::string(emp::jail::step_name(Step::Netns)) == "NETNS");
  CHECK(std::string(emp::jail::step_name(Step::Caps)) == "CAPS");
  CHECK(std::string(emp::jail::step_name(Step::Seccomp)) == "SECCOMP");
  CHECK(std::string(emp::jail::step_name(Step::Identity)) == "IDENTITY");
  CHECK(std::string(emp::jail::step_name(Step::Exec)) == "EXEC");
}

TEST_CASE("a bare spec in all namespaces: private mounts, /proc, loopback, drop, seccomp") {
  VassalSpec s;
  CHECK(lines(s, all_namespaces()) ==
        concat({{"SECCOMP compile-seccomp", "MOUNT make-private /", "NETNS link-up lo",
                 "MOUNT make-dir /proc", "MOUNT mount-proc /proc"},
                kDrop}));
}

TEST_CASE("a session of its own comes first, before any lookup or hook; refusals alone") {
  VassalSpec s;
  s.exec_pre_jail = {exec("echo pre")};
  for (const auto& ctx : {JailContext{}, all_namespaces()})
    CHECK(emp::jail::describe(emp::jail::plan(s, ctx)).front() == "IDENTITY new-session");
  s.cap = {"fly"};
  CHECK(emp::jail::describe(emp::jail::plan(s, all_namespaces())) ==
        Lines{"CAPS refuse fly: unknown capability 'fly'"});
}

TEST_CASE("/sys is made read-only only with a mount namespace") {
  VassalSpec s;
  auto with = lines(s, only({Namespace::Mount}));
  CHECK(std::find(with.begin(), with.end(), "MOUNT protect-proc /sys") != with.end());
  auto without = lines(s, only({Namespace::Pid, Namespace::Net}));
  CHECK(std::find(without.begin(), without.end(), "MOUNT protect-proc /sys") == without.end());
}

TEST_CASE("no namespaces at all: nothing is mounted, only the privileges drop") {
  VassalSpec s;
  CHECK(lines(s, JailContext{}) ==
        Lines{"SECCOMP compile-seccomp", "IDENTITY before-drop", "CAPS drop-bounding none",
              "CAPS set-caps none", "CAPS set-ambient none", "CAPS no-new-privs",
              "SECCOMP load-seccomp"});
}

TEST_CASE("/proc is mounted only with both mount and pid namespaces") {
  VassalSpec s;
  s.seccomp = emp::config::SeccompMode::Off;
  auto mount_only = lines(s, only({Namespace::Mount}));
  CHECK(std::find(mount_only.begin(), mount_only.end(), "MOUNT mount-proc /proc") == mount_only.end());
  CHECK(mount_only.front() == "MOUNT make-private /");
  auto pid_only = lines(s, only({Namespace::Pid}));
  CHECK(std::find(pid_only.begin(), pid_only.end(), "MOUNT mount-proc /proc") == pid_only.end());
  auto both = lines(s, only({Namespace::Mount, Namespace::Pid}));
  CHECK(std::find(both.begin(), both.end(), "MOUNT mount-proc /proc") != both.end());
}

TEST_CASE("the full jail, in the documented order") {
  VassalSpec s;
  s.pivot_root = emp::config::PivotRoot{"/srv/web", ".old"};
  s.hostname = "web";
  s.uid = "www-data";
  s.cap = {"net_bind_service"};
  s.hook_pre_jail = {hook("mount:none /usr /srv/web/usr bind,ro")};
  s.exec_pre_jail = {exec("echo pre")};
  s.exec_post_jail = {exec("echo post")};
  s.hook_post_jail = {hook("mkdir:/run/web")};
  s.exec_as_root = {exec("ifconfig uwsgi0 up")};
  s.exec_as_user = {exec("echo user")};
  s.tuntap_device = emp::config::TuntapEndpoint{"uwsgi0", "/run/r.sock"};
  s.net_address = {*emp::config::parse_ip_prefix("10.0.0.2/24")};
  s.net_gateway = {*emp::config::parse_ip_address("10.0.0.1")};
  const std::string d = "/srv/web/dev";
  CHECK(emp::jail::describe(emp::jail::plan(s, all_namespaces())) ==
        Lines{
            "IDENTITY new-session",
            "IDENTITY resolve-identity www-data",
            "SECCOMP compile-seccomp",
            "MOUNT make-private /",
            "HOOK run-hook hook-pre-jail mount:none /usr /srv/web/usr bind,ro",
            "HOOK run-hook exec-pre-jail echo pre",
            "NETNS link-up lo",
            "NETNS create-tun uwsgi0",
            "NETNS set-mtu uwsgi0 1500",
            "NETNS add-address uwsgi0 10.0.0.2/24",
            "NETNS link-up uwsgi0",
            "NETNS add-default-route uwsgi0 via 10.0.0.1",
            "PIVOT_ROOT check-root /srv/web",
            "PIVOT_ROOT bind-self /srv/web",
            "MOUNT make-dir " + d,
            "MOUNT mount-tmpfs " + d + " (mode=0755,size=64k)",
            "MOUNT bind-device " + d + "/null <- /dev/null",
            "MOUNT bind-device " + d + "/zero <- /dev/zero",
            "MOUNT bind-device " + d + "/full <- /dev/full",
            "MOUNT bind-device " + d + "/random <- /dev/random",
            "MOUNT bind-device " + d + "/urandom <- /dev/urandom",
            "MOUNT bind-device " + d + "/tty <- /dev/tty",
            "MOUNT make-dir " + d + "/pts",
            "MOUNT mount-devpts " + d + "/pts (newinstance,ptmxmode=0666,mode=0620)",
            "MOUNT symlink " + d + "/ptmx -> pts/ptmx",
            "MOUNT make-dir " + d + "/shm",
            "MOUNT mount-tmpfs " + d + "/shm (mode=1777)",
            "MOUNT symlink " + d + "/fd -> /proc/self/fd",
            "MOUNT symlink " + d + "/stdin -> /proc/self/fd/0",
            "MOUNT symlink " + d + "/stdout -> /proc/self/fd/1",
            "MOUNT symlink " + d + "/stderr -> /proc/self/fd/2",
            "PIVOT_ROOT pivot-root /srv/web old .old detached",
            "MOUNT make-dir /proc",
            "MOUNT mount-proc /proc",
            "HOOK run-hook hook-post-jail mkdir:/run/web",
            "HOOK run-hook exec-post-jail echo post",
            "HOSTNAME set-hostname web",
            "HOOK run-hook exec-as-root ifconfig uwsgi0 up",
            "MOUNT protect-proc /proc/sys",
            "MOUNT protect-proc /proc/sysrq-trigger",
            "MOUNT protect-proc /proc/irq",
            "MOUNT protect-proc /proc/bus",
            "MOUNT protect-proc /sys",
            "IDENTITY before-drop",
            "CAPS drop-bounding cap_net_bind_service",
            "CAPS keep-caps",
            "IDENTITY set-groups www-data",
            "IDENTITY set-gid primary group of www-data",
            "IDENTITY set-uid www-data",
            "CAPS set-caps cap_net_bind_service",
            "CAPS set-ambient cap_net_bind_service",
            "CAPS no-new-privs",
            "SECCOMP load-seccomp",
            "HOOK run-hook exec-as-user echo user",
        });
}

TEST_CASE("hook-* actions run before exec-* commands of the same phase") {
  VassalSpec s;
  s.seccomp = emp::config::SeccompMode::Off;
  s.exec_as_root = {exec("b")};
  s.hook_as_root = {hook("print:a"), hook("exec:c")};
  auto l = lines(s, JailContext{});
  const Lines want = {"HOOK run-hook hook-as-root print:a", "HOOK run-hook hook-as-root exec:c",
                      "HOOK run-hook exec-as-root b"};
  CHECK(Lines(l.begin(), l.begin() + 3) == want);
}

TEST_CASE("keep-old and chroot") {
  VassalSpec s;
  s.seccomp = emp::config::SeccompMode::Off;
  s.pivot_root = emp::config::PivotRoot{"/r", "old/root"};
  s.pivot_root_keep_old = true;
  s.jail_dev = false;
  auto l = lines(s, only({Namespace::Mount}));
  CHECK(l[0] == "MOUNT make-private /");
  CHECK(l[1] == "PIVOT_ROOT check-root /r");
  CHECK(l[2] == "PIVOT_ROOT bind-self /r");
  CHECK(l[3] == "PIVOT_ROOT pivot-root /r old old/root kept");

  VassalSpec c;
  c.seccomp = emp::config::SeccompMode::Off;
  c.chroot = "/jail";
  auto m = lines(c, only({Namespace::Mount, Namespace::Pid}));
  CHECK(m[1] == "PIVOT_ROOT check-root /jail");
  CHECK(m[2] == "MOUNT make-dir /jail/dev");  // chroot: no self-bind
  CHECK(std::find(m.begin(), m.end(), "PIVOT_ROOT chroot /jail") != m.end());
  // chroot without a mount namespace: no /dev (default), the chroot itself still works
  auto n = lines(c, JailContext{});
  CHECK(n[0] == "PIVOT_ROOT check-root /jail");
  CHECK(n[1] == "PIVOT_ROOT chroot /jail");
}

TEST_CASE("identity: defaults, groups and the tyrant's ids") {
  const VassalSpec numeric = with_uid("1000");
  auto p = emp::jail::plan(numeric, JailContext{});
  CHECK(p.identity.user == "1000");
  CHECK_FALSE(p.identity.init_groups);  // a number: no name to look groups up by
  VassalSpec s = with_uid("www-data");
  s.add_gid = {"staff", "42"};
  p = emp::jail::plan(s, JailContext{});
  CHECK(p.identity.init_groups);
  CHECK(p.identity.extra_groups == std::vector<std::string>{"staff", "42"});
  s.initgroups = false;
  CHECK_FALSE(emp::jail::plan(s, JailContext{}).identity.init_groups);

  JailContext tyrant;
  tyrant.force_uid = 1234;
  tyrant.force_gid = 5678;
  p = emp::jail::plan(s, tyrant);
  CHECK(p.identity.user == "1234");
  CHECK(p.identity.group == "5678");
  auto l = emp::jail::describe(p);
  CHECK(l[1] == "IDENTITY resolve-identity 1234");
  CHECK(std::find(l.begin(), l.end(), "IDENTITY set-gid 5678") != l.end());

  VassalSpec g;
  g.gid = "web";
  l = lines(g, JailContext{});
  CHECK(l[0] == "IDENTITY resolve-identity web");
  CHECK(std::find(l.begin(), l.end(), "IDENTITY set-gid web") != l.end());
  CHECK(std::find(l.begin(), l.end(), "CAPS keep-caps") == l.end());  // no setuid follows
  for (const auto& line : l) CHECK(line.rfind("IDENTITY set-uid", 0) != 0);

  VassalSpec none;
  l = lines(none, JailContext{});
  for (const auto& line : l) CHECK(line.rfind("IDENTITY set-", 0) != 0);
}

TEST_CASE("capabilities: names with or without the cap_ prefix, any case") {
  VassalSpec s;
  s.cap = {"net_bind_service", "CAP_KILL", "Cap_Sys_Nice"};
  auto p = emp::jail::plan(s, JailContext{});
  CHECK(p.caps == ((1ull << 10) | (1ull << 5) | (1ull << 23)));
  auto l = emp::jail::describe(p);
  CHECK(std::find(l.begin(), l.end(), "CAPS set-ambient cap_kill,cap_net_bind_service,cap_sys_nice") !=
        l.end());
}

TEST_CASE("refusals come alone, before anything changes") {
  SUBCASE("unknown capabilities, each named") {
    VassalSpec s;
    s.cap = {"net_bind_service", "fly", "cap_swim"};
    CHECK(lines(s, all_namespaces()) ==
          Lines{"CAPS refuse fly: unknown capability 'fly'",
                "CAPS refuse cap_swim: unknown capability 'cap_swim'"});
  }
  SUBCASE("pivot-root without a mount namespace") {
    VassalSpec s;
    s.pivot_root = emp::config::PivotRoot{"/r", ".old"};
    CHECK(lines(s, only({Namespace::Pid})) ==
          Lines{"PIVOT_ROOT refuse /r: pivot-root needs a mount namespace (add mount to unshare)"});
  }
  SUBCASE("bad pivot-root paths") {
    VassalSpec s;
    s.pivot_root = emp::config::PivotRoot{"srv/r", "../up"};
    CHECK(lines(s, all_namespaces()) ==
          Lines{"PIVOT_ROOT refuse srv/r: NEW_ROOT must be an absolute path",
                "PIVOT_ROOT refuse ../up: OLD_ROOT must be a path inside NEW_ROOT, relative and "
                "without '..'"});
    s.pivot_root = emp::config::PivotRoot{"/r", "/abs"};
    CHECK(lines(s, all_namespaces()).size() == 1);
    s.pivot_root = emp::config::PivotRoot{"/r", "a/../../b"};
    CHECK(lines(s, all_namespaces()).size() == 1);
    s.pivot_root = emp::config::PivotRoot{"/r", "a/..b"};  // a name, not a parent walk
    CHECK(lines(s, all_namespaces())[0] == "SECCOMP compile-seccomp");
  }
  SUBCASE("relative chroot") {
    VassalSpec s;
    s.chroot = "jail";
    CHECK(lines(s, all_namespaces()) == Lines{"PIVOT_ROOT refuse jail: chroot must be an absolute path"});
  }
  SUBCASE("jail-dev without a new root or without a mount namespace") {
    VassalSpec s;
    s.jail_dev = true;
    CHECK(lines(s, all_namespaces()) == Lines{"MOUNT refuse /dev: jail-dev needs pivot-root or chroot"});
    s.chroot = "/j";
    CHECK(lines(s, only({Namespace::Pid})) ==
          Lines{"MOUNT refuse /dev: jail-dev needs a mount namespace (add mount to unshare)"});
  }
  SUBCASE("hostname without uts, as a key and as a hook") {
    VassalSpec s;
    s.hostname = "web";
    s.hook_as_root = {hook("hostname:other")};
    CHECK(lines(s, only({Namespace::Mount})) ==
          Lines{"HOSTNAME refuse web: hostname needs a uts namespace (add uts to unshare)",
                "HOSTNAME refuse hostname:other: the hostname hook needs a uts namespace (add uts "
                "to unshare)"});
  }
  SUBCASE("mount hooks without a mount namespace") {
    VassalSpec s;
    s.hook_post_jail = {hook("mount:tmpfs none /tmp"), hook("umount:/tmp")};
    CHECK(lines(s, only({Namespace::Uts})) ==
          Lines{"MOUNT refuse mount:tmpfs none /tmp: mount hooks need a mount namespace (add mount "
                "to unshare)",
                "MOUNT refuse umount:/tmp: mount hooks need a mount namespace (add mount to "
                "unshare)"});
  }
  SUBCASE("network keys without a net namespace") {
    VassalSpec s;
    s.tuntap_device = emp::config::TuntapEndpoint{"tap0", "/r.sock"};
    s.net_loopback = true;
    CHECK(lines(s, only({Namespace::Mount})) ==
          Lines{"NETNS refuse tap0: tuntap-device needs a net namespace (add net to unshare)",
                "NETNS refuse lo: net-loopback needs a net namespace (add net to unshare)"});
  }
}

TEST_CASE("seccomp off: no filter ops") {
  VassalSpec s;
  s.seccomp = emp::config::SeccompMode::Off;
  auto p = emp::jail::plan(s, all_namespaces());
  CHECK_FALSE(p.seccomp);
  for (const auto& op : p.ops) {
    CHECK(op.kind != OpKind::CompileSeccomp);
    CHECK(op.kind != OpKind::LoadSeccomp);
  }
}

TEST_CASE("every op kind has a name") {
  for (int k = 0; k <= static_cast<int>(OpKind::LoadSeccomp); ++k)
    CHECK(std::string(emp::jail::op_name(static_cast<OpKind>(k))) != "?");
}
