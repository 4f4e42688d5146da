#include "jail/plan.h"

#include <algorithm>

namespace emp::jail {
namespace {

using config::Namespace;

constexpr uint32_t kNoSuid = config::kMountNoSuid;
constexpr uint32_t kNoDev = config::kMountNoDev;
constexpr uint32_t kNoExec = config::kMountNoExec;

// The devices a service may need; everything else of the host's /dev stays out.
constexpr const char* kDevices[] = {"null", "zero", "full", "random", "urandom", "tty"};
// Host-wide knobs under /proc that root without capabilities could still write (file mode
// checks alone guard them, e.g. kernel.core_pattern); bound read-only like bubblewrap does.
// /sys likewise: a vassal without a new root sees the host's sysfs (and its submounts:
// cgroup, debugfs, securityfs...), so it is made read-only as a whole tree.
constexpr const char* kProtectedProc[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
                                          "/proc/bus", "/sys"};

bool is_number(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Builder {
 public:
  explicit Builder(Plan& p) : plan_(p) {}

  Op& add(Step step, OpKind kind, std::string object = {}) {
    Op op;
    op.step = step;
    op.kind = kind;
    op.object = std::move(object);
    plan_.ops.push_back(std::move(op));
    return plan_.ops.back();
  }
  void refuse(Step step, std::string object, std::string why) {
    Op op;
    op.step = step;
    op.kind = OpKind::Refuse;
    op.object = std::move(object);
    op.data = std::move(why);
    refusals_.push_back(std::move(op));
  }
  std::vector<Op>& refusals() { return refusals_; }

 private:
  Plan& plan_;
  std::vector<Op> refusals_;
};

struct Phase {
  const char* name;
  const std::vector<config::Hook>& hooks;  // hook-* actions run before exec-* commands
  const std::vector<config::Hook>& execs;
};

Phase phase(const config::VassalSpec& s, const char* name) {
  const std::string n = name;
  if (n == kPreJail) return {name, s.hook_pre_jail, s.exec_pre_jail};
  if (n == kPostJail) return {name, s.hook_post_jail, s.exec_post_jail};
  if (n == kAsRoot) return {name, s.hook_as_root, s.exec_as_root};
  return {name, s.hook_as_user, s.exec_as_user};
}

void add_hooks(Builder& b, const Phase& p) {
  for (const auto* list : {&p.hooks, &p.execs}) {
    const std::string key = std::string(list == &p.hooks ? "hook-" : "exec-") + p.name;
    for (const auto& h : *list) {
      const std::string object = h.action == config::HookAction::Exec && list == &p.execs
                                     ? h.args.at(0)
                                     : h.text;
      Op& op = b.add(Step::Hook, OpKind::RunHook, object);
      op.target = key;
      op.hook = h;
    }
  }
}

void check_hooks(Builder& b, const config::VassalSpec& s, const config::NamespaceSet& ns) {
  for (const char* name : {kPreJail, kPostJail, kAsRoot, kAsUser}) {
    const Phase p = phase(s, name);
    for (const auto& h : p.hooks) {
      const bool mounts = h.action == config::HookAction::Mount ||
                          h.action == config::HookAction::Umount;
      if (mounts && !ns.has(Namespace::Mount))
        b.refuse(Step::Mount, h.text,
                 "mount hooks need a mount namespace (add mount to unshare)");
      if (h.action == config::HookAction::Hostname && !ns.has(Namespace::Uts))
        b.refuse(Step::Hostname, h.text,
                 "the hostname hook needs a uts namespace (add uts to unshare)");
    }
  }
}

bool bad_relative(const std::string& p) {
  if (p.empty()) return true;
  size_t start = 0;
  while (start <= p.size()) {
    const size_t end = std::min(p.find('/', start), p.size());
    if (p.compare(start, end - start, "..") == 0) return true;
    start = end + 1;
  }
  return false;
}

void add_dev(Builder& b, const std::string& root) {
  const std::string dev = root + "/dev";
  b.add(Step::Mount, OpKind::MakeDir, dev);
  // No nodev here: the device nodes bound below must stay usable.
  Op& tmpfs = b.add(Step::Mount, OpKind::MountTmpfs, dev);
  tmpfs.data = "mode=0755,size=64k";
  tmpfs.flags = kNoSuid | kNoExec;
  for (const char* d : kDevices) {
    Op& node = b.add(Step::Mount, OpKind::BindDevice, dev + "/" + d);
    node.target = std::string("/dev/") + d;
  }
  b.add(Step::Mount, OpKind::MakeDir, dev + "/pts");
  // A private devpts instance: the vassal sees its own terminals, never the host's.
  Op& pts = b.add(Step::Mount, OpKind::MountDevpts, dev + "/pts");
  pts.data = "newinstance,ptmxmode=0666,mode=0620";
  pts.flags = kNoSuid | kNoExec;
  b.add(Step::Mount, OpKind::Symlink, dev + "/ptmx").target = "pts/ptmx";
  b.add(Step::Mount, OpKind::MakeDir, dev + "/shm");
  Op& shm = b.add(Step::Mount, OpKind::MountTmpfs, dev + "/shm");
  shm.data = "mode=1777";
  shm.flags = kNoSuid | kNoDev;
  b.add(Step::Mount, OpKind::Symlink, dev + "/fd").target = "/proc/self/fd";
  b.add(Step::Mount, OpKind::Symlink, dev + "/stdin").target = "/proc/self/fd/0";
  b.add(Step::Mount, OpKind::Symlink, dev + "/stdout").target = "/proc/self/fd/1";
  b.add(Step::Mount, OpKind::Symlink, dev + "/stderr").target = "/proc/self/fd/2";
}

IdentityPlan identity_of(const config::VassalSpec& s, const JailContext& ctx) {
  IdentityPlan id;
  id.user = ctx.force_uid ? std::optional<std::string>(std::to_string(*ctx.force_uid)) : s.uid;
  id.group = ctx.force_gid ? std::optional<std::string>(std::to_string(*ctx.force_gid)) : s.gid;
  id.extra_groups = s.add_gid;
  id.init_groups = id.user && s.initgroups.value_or(!is_number(*id.user));
  return id;
}

}  // namespace

const char* step_name(Step s) {
  switch (s) {
    case Step::Namespace: return "NAMESPACE";
    case Step::Mount: return "MOUNT";
    case Step::PivotRoot: return "PIVOT_ROOT";
    case Step::Hook: return "HOOK";
    case Step::Hostname: return "HOSTNAME";
    case Step::Netns: return "NETNS";
    case Step::Caps: return "CAPS";
    case Step::Seccomp: return "SECCOMP";
    case Step::Identity: return "IDENTITY";
    case Step::Exec: return "EXEC";
  }
  return "?";
}

const char* op_name(OpKind k) {
  switch (k) {
    case OpKind::Refuse: return "refuse";
    case OpKind::NewSession: return "new-session";
    case OpKind::ResolveIdentity: return "resolve-identity";
    case OpKind::CompileSeccomp: return "compile-seccomp";
    case OpKind::MakePrivate: return "make-private";
    case OpKind::RunHook: return "run-hook";
    case OpKind::CheckRoot: return "check-root";
    case OpKind::BindSelf: return "bind-self";
    case OpKind::MakeDir: return "make-dir";
    case OpKind::MountTmpfs: return "mount-tmpfs";
    case OpKind::BindDevice: return "bind-device";
    case OpKind::MountDevpts: return "mount-devpts";
    case OpKind::Symlink: return "symlink";
    case OpKind::PivotRoot: return "pivot-root";
    case OpKind::Chroot: return "chroot";
    case OpKind::MountProc: return "mount-proc";
    case OpKind::ProtectProc: return "protect-proc";
    case OpKind::SetHostname: return "set-hostname";
    case OpKind::Network: return "network";
    case OpKind::BeforeDrop: return "before-drop";
    case OpKind::DropBounding: return "drop-bounding";
    case OpKind::KeepCaps: return "keep-caps";
    case OpKind::SetGroups: return "set-groups";
    case OpKind::SetGid: return "set-gid";
    case OpKind::SetUid: return "set-uid";
    case OpKind::SetCaps: return "set-caps";
    case OpKind::SetAmbient: return "set-ambient";
    case OpKind::NoNewPrivs: return "no-new-privs";
    case OpKind::LoadSeccomp: return "load-seccomp";
  }
  return "?";
}

Plan plan(const config::VassalSpec& s, const JailContext& ctx) {
  Plan p;
  Builder b(p);
  const auto& ns = ctx.namespaces;
  const bool own_mount = ns.has(Namespace::Mount);
  const bool own_pid = ns.has(Namespace::Pid);

  // Refusals first: a spec that cannot be applied here changes nothing at all. Without
  // its own namespace, a mount, hostname or link change would land on the host.
  if (s.pivot_root) {
    const auto& pr = *s.pivot_root;
    if (!own_mount)
      b.refuse(Step::PivotRoot, pr.new_root,
               "pivot-root needs a mount namespace (add mount to unshare)");
    if (pr.new_root.empty() || pr.new_root.front() != '/')
      b.refuse(Step::PivotRoot, pr.new_root, "NEW_ROOT must be an absolute path");
    if (bad_relative(pr.old_root) || pr.old_root.front() == '/')
      b.refuse(Step::PivotRoot, pr.old_root,
               "OLD_ROOT must be a path inside NEW_ROOT, relative and without '..'");
  }
  if (s.chroot && (s.chroot->empty() || s.chroot->front() != '/'))
    b.refuse(Step::PivotRoot, *s.chroot, "chroot must be an absolute path");
  const bool new_root = s.pivot_root || s.chroot;
  if (s.jail_dev.value_or(false) && !new_root)
    b.refuse(Step::Mount, "/dev", "jail-dev needs pivot-root or chroot");
  else if (s.jail_dev.value_or(false) && !own_mount)
    b.refuse(Step::Mount, "/dev", "jail-dev needs a mount namespace (add mount to unshare)");
  if (s.hostname && !ns.has(Namespace::Uts))
    b.refuse(Step::Hostname, *s.hostname, "hostname needs a uts namespace (add uts to unshare)");
  if (!ns.has(Namespace::Net)) {
    if (s.tuntap_device)
      b.refuse(Step::Netns, s.tuntap_device->device,
               "tuntap-device needs a net namespace (add net to unshare)");
    if (s.net_loopback.value_or(false))
      b.refuse(Step::Netns, "lo", "net-loopback needs a net namespace (add net to unshare)");
  }
  check_hooks(b, s, ns);
  auto caps = capability_mask(s.cap);
  if (!caps) {
    for (const auto& name : s.cap)
      if (!capability_number(canonical_capability(name)))
        b.refuse(Step::Caps, name, "unknown capability '" + name + "'");
  }
  if (!b.refusals().empty()) {
    p.ops = std::move(b.refusals());
    return p;
  }
  p.caps = *caps;
  p.identity = identity_of(s, ctx);
  p.seccomp = seccomp_plan(s, own_pid);

  // A session of its own before anything runs: the terminal the vassal may have been started
  // from (`vassal FILE` in a shell) is no longer its controlling tty, so no hook or worker
  // can open /dev/tty or push keystrokes into it with TIOCSTI.
  b.add(Step::Identity, OpKind::NewSession);
  // Lookups and the filter first, on the host's view: an unknown user or system call then
  // fails before anything has changed. Names resolve against the host's databases, as in
  // uWSGI, not against the files inside NEW_ROOT.
  if (p.identity.changes())
    b.add(Step::Identity, OpKind::ResolveIdentity,
          p.identity.user ? *p.identity.user : p.identity.group.value_or(""));
  if (p.seccomp) b.add(Step::Seccomp, OpKind::CompileSeccomp);

  // Before any mount: nothing mounted from here on may propagate back to the host.
  if (own_mount) b.add(Step::Mount, OpKind::MakePrivate, "/");
  add_hooks(b, phase(s, kPreJail));

  // The network comes before the root changes: creating the tun device opens
  // /dev/net/tun, which the jail's /dev does not have (the tenant must not get it either).
  for (auto& net : netns::plan(s, ns.has(Namespace::Net))) {
    Op& op = b.add(Step::Netns, OpKind::Network, net.link);
    op.net = std::move(net);
  }

  std::optional<std::string> root;
  if (s.pivot_root) root = s.pivot_root->new_root;
  if (s.chroot) root = *s.chroot;
  if (root) b.add(Step::PivotRoot, OpKind::CheckRoot, *root);
  // Recursive, so that what the pre-jail hooks mounted under NEW_ROOT comes along.
  if (s.pivot_root) b.add(Step::PivotRoot, OpKind::BindSelf, *root);
  if (root && own_mount && s.jail_dev.value_or(true)) add_dev(b, *root);
  if (s.pivot_root) {
    Op& op = b.add(Step::PivotRoot, OpKind::PivotRoot, s.pivot_root->new_root);
    op.target = s.pivot_root->old_root;
    op.keep_old = s.pivot_root_keep_old.value_or(false);
  } else if (s.chroot) {
    b.add(Step::PivotRoot, OpKind::Chroot, *s.chroot);
  }
  // Only a vassal with its own mount and pid namespaces gets a fresh /proc: in the host's
  // pid namespace it would list the host's processes anyway.
  if (own_mount && own_pid) {
    b.add(Step::Mount, OpKind::MakeDir, "/proc");
    b.add(Step::Mount, OpKind::MountProc, "/proc").flags = kNoSuid | kNoDev | kNoExec;
  }
  add_hooks(b, phase(s, kPostJail));

  if (s.hostname) b.add(Step::Hostname, OpKind::SetHostname, *s.hostname);
  add_hooks(b, phase(s, kAsRoot));

  // After the as-root hooks, which may still tune the vassal's own net sysctls.
  if (own_mount)
    for (const char* path : kProtectedProc) b.add(Step::Mount, OpKind::ProtectProc, path);
  b.add(Step::Identity, OpKind::BeforeDrop);
  // The bounding set goes first, while CAP_SETPCAP is still effective; the setuid below
  // then clears the effective set.
  b.add(Step::Caps, OpKind::DropBounding).caps = p.caps;
  if (p.identity.user) b.add(Step::Caps, OpKind::KeepCaps);
  if (p.identity.changes()) b.add(Step::Identity, OpKind::SetGroups, p.identity.user.value_or(""));
  if (p.identity.user || p.identity.group)
    b.add(Step::Identity, OpKind::SetGid,
          p.identity.group ? *p.identity.group : "primary group of " + *p.identity.user);
  if (p.identity.user) b.add(Step::Identity, OpKind::SetUid, *p.identity.user);
  b.add(Step::Caps, OpKind::SetCaps).caps = p.caps;
  b.add(Step::Caps, OpKind::SetAmbient).caps = p.caps;
  b.add(Step::Caps, OpKind::NoNewPrivs);
  if (p.seccomp) b.add(Step::Seccomp, OpKind::LoadSeccomp);
  // Under the filter, as the workers will be: what works here works for them.
  add_hooks(b, phase(s, kAsUser));
  return p;
}

std::string describe(const Op& op) {
  std::string s = std::string(step_name(op.step)) + " " + op_name(op.kind);
  auto with = [&](const std::string& text) {
    if (!text.empty()) s += " " + text;
  };
  switch (op.kind) {
    case OpKind::Refuse: with(op.object + ": " + op.data); break;
    case OpKind::RunHook: with(op.target + " " + op.object); break;
    case OpKind::MountTmpfs:
    case OpKind::MountDevpts: with(op.object + " (" + op.data + ")"); break;
    case OpKind::BindDevice: with(op.object + " <- " + op.target); break;
    case OpKind::Symlink: with(op.object + " -> " + op.target); break;
    case OpKind::PivotRoot:
      with(op.object + " old " + op.target + (op.keep_old ? " kept" : " detached"));
      break;
    case OpKind::Network: s = std::string(step_name(op.step)) + " " + netns::describe(op.net); break;
    case OpKind::DropBounding:
    case OpKind::SetCaps:
    case OpKind::SetAmbient: with(capability_list(op.caps)); break;
    default: with(op.object); break;
  }
  return s;
}

std::vector<std::string> describe(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& op : plan.ops) out.push_back(describe(op));
  return out;
}

}  // namespace emp::jail
