// build(): the plan's ops, one by one, through sys. Each op either succeeds or becomes the
// SetupError that names its step and object.
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include <optional>

#include "jail/hooks.h"
#include "jail/jail.h"
#include "netns/apply.h"
#include "sys/caps.h"
#include "sys/identity.h"
#include "sys/mount.h"
#include "sys/names.h"
#include "sys/netlink.h"
#include "sys/seccomp_filter.h"

namespace emp::jail {
namespace {

// What build() learns on the way: ids resolved at the start, the filter compiled at the
// start and loaded at the end, the route socket opened at the first network op.
struct State {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::optional<sys::SeccompFilter> filter;
  std::optional<sys::RouteSocket> route;
};

// Namespace flags clone() must not carry once the jail is built (x86_64 and most ABIs pass
// the flags as argument 0; libseccomp builds the filter for the native ABI only).
constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                                        CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};

// ioctl requests that write into a terminal's input queue or drive the console: a vassal
// holding an fd of the operator's terminal could type commands into it.
constexpr uint64_t kTtyInjectionRequests[] = {TIOCSTI, TIOCLINUX};

Result<void> resolve_identity(const IdentityPlan& id, State& st) {
  std::optional<sys::UserLookup> user;
  if (id.user) {
    EMP_TRY(user, sys::lookup_user(*id.user));
    st.uid = user->user.uid;
  }
  if (id.group) {
    EMP_TRY(st.gid, sys::lookup_group(*id.group));
  } else if (user) {
    // A bare number without a passwd entry has no primary group: its own number stands in,
    // so the vassal never keeps root's group by accident.
    st.gid = user->found ? user->user.gid : static_cast<gid_t>(user->user.uid);
  }
  if (user && user->found && id.init_groups) {
    EMP_TRY(st.groups, sys::groups_of(user->user.name, st.gid));
  } else if (id.user || id.group) {
    st.groups = {st.gid};
  }
  for (const auto& g : id.extra_groups) {
    EMP_TRY(const gid_t extra, sys::lookup_group(g));
    st.groups.push_back(extra);
  }
  return ok();
}

sys::SeccompAction action_for(const SeccompPlan& plan, RuleKind kind) {
  if (plan.log) return {sys::SeccompVerdict::Log, 0};
  return {sys::SeccompVerdict::Errno, kind == RuleKind::Enosys ? ENOSYS : EPERM};
}

Result<sys::SeccompFilter> compile(const SeccompPlan& plan) {
  EMP_TRY(auto filter, sys::SeccompFilter::create({sys::SeccompVerdict::Allow, 0}));
  for (const auto& rule : plan.rules) {
    const auto nr = sys::syscall_number(rule.syscall);
    if (!nr) {
      if (rule.from_spec) return fail("unknown system call '" + rule.syscall + "'");
      continue;  // a profile call this architecture never had
    }
    const auto act = action_for(plan, rule.kind);
    if (rule.kind == RuleKind::DenyNamespaceFlags) {
      for (uint64_t flag : kNamespaceFlags)
        EMP_CHECK(filter.add_when_bits_set(*nr, rule.syscall, act, 0, flag));
    } else if (rule.kind == RuleKind::DenyTtyInjection) {
      // The kernel reads the request as an unsigned int: only the low 32 bits are compared.
      for (uint64_t request : kTtyInjectionRequests)
        EMP_CHECK(filter.add_when_arg_equals(*nr, rule.syscall, act, 1, request, 0xffffffffu));
    } else {
      EMP_CHECK(filter.add(*nr, rule.syscall, act));
    }
  }
  return filter;
}

Result<void> network(const Op& op, State& st, Callbacks& cb) {
  if (op.net.kind == netns::OpKind::CreateTun) {
    if (!cb.create_tun) return fail("create tun '" + op.net.link + "': no tun creator");
    return cb.create_tun(op.net.link);
  }
  if (!st.route) {
    EMP_TRY(auto socket, sys::RouteSocket::open());
    st.route.emplace(std::move(socket));
  }
  return netns::apply(*st.route, op.net);
}

Result<void> pivot(const Op& op) {
  if (!op.keep_old) return sys::pivot_root_and_detach_old(op.object);
  const std::string put_old = op.object + "/" + op.target;
  EMP_CHECK(sys::make_directories(put_old, 0700));
  return sys::pivot_root(op.object, put_old);
}

Result<void> run(const Op& op, const Plan& plan, State& st, Callbacks& cb) {
  switch (op.kind) {
    case OpKind::Refuse: return fail(op.data);
    case OpKind::NewSession: return sys::new_session();
    case OpKind::ResolveIdentity: return resolve_identity(plan.identity, st);
    case OpKind::CompileSeccomp: {
      if (!plan.seccomp) return ok();
      EMP_TRY(auto filter, compile(*plan.seccomp));
      st.filter.emplace(std::move(filter));
      return ok();
    }
    case OpKind::MakePrivate: return sys::set_propagation(op.object, MS_PRIVATE | MS_REC);
    case OpKind::RunHook: return run_hook(op.hook, op.target, {cb.note, cb.cancel});
    case OpKind::CheckRoot: {
      auto dir = sys::is_directory(op.object);
      if (!dir) return fail("check new root '" + op.object + "': " +
                            std::strerror(dir.error().code ? dir.error().code : EINVAL));
      if (!*dir) return fail("check new root '" + op.object + "': not a directory");
      return ok();
    }
    case OpKind::BindSelf: {
      EMP_TRY(const bool mounted, sys::is_mount_point(op.object));
      if (mounted) return ok();
      return sys::bind_mount(op.object, op.object, true);
    }
    case OpKind::MakeDir: return sys::make_directories(op.object, 0755);
    case OpKind::MountTmpfs:
      return sys::mount("tmpfs", op.object, "tmpfs", mount_flags(op.flags), op.data);
    case OpKind::BindDevice:
      EMP_CHECK(sys::touch_file(op.object, 0644));
      return sys::bind_mount(op.target, op.object, false);
    case OpKind::MountDevpts:
      return sys::mount("devpts", op.object, "devpts", mount_flags(op.flags), op.data);
    case OpKind::Symlink: return sys::make_symlink(op.target, op.object);
    case OpKind::PivotRoot: return pivot(op);
    case OpKind::Chroot: return sys::change_root(op.object);
    case OpKind::MountProc: return sys::mount("proc", op.object, "proc", mount_flags(op.flags));
    case OpKind::ProtectProc: {
      EMP_TRY(const bool present, sys::exists(op.object));
      if (!present) return ok();
      return sys::bind_mount(op.object, op.object, true, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    }
    case OpKind::SetHostname: return sys::set_hostname(op.object);
    case OpKind::Network: return network(op, st, cb);
    case OpKind::BeforeDrop: return cb.before_drop ? cb.before_drop() : ok();
    case OpKind::DropBounding: return sys::drop_bounding(op.caps);
    case OpKind::KeepCaps: return sys::set_keep_caps(true);
    case OpKind::SetGroups: return sys::set_groups(st.groups);
    case OpKind::SetGid: return sys::set_gid(st.gid);
    case OpKind::SetUid: return sys::set_uid(st.uid);
    case OpKind::SetCaps: return sys::set_process_caps(op.caps);
    case OpKind::SetAmbient: return sys::set_ambient(op.caps);
    case OpKind::NoNewPrivs: return sys::set_no_new_privs();
    case OpKind::LoadSeccomp: {
      if (!st.filter) return fail("load seccomp filter: it was not compiled");
      return st.filter->load();
    }
  }
  return fail("unknown op");
}

// A stop request that arrived while no hook ran: the reason, or nullopt to go on.
std::optional<std::string> pending_cancel(Callbacks& cb) {
  for (auto& watch : cb.cancel) {
    if (watch.fd < 0) continue;
    pollfd p{watch.fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) continue;
    auto verdict = watch.on_ready();
    if (verdict.kind == sys::CancelWatch::Verdict::Ignore) watch.fd = -1;
    if (verdict.kind == sys::CancelWatch::Verdict::Cancel) return verdict.reason;
  }
  return std::nullopt;
}

// A quiet hook (uWSGI's "!action:") may carry secrets: neither progress nor errors show it.
std::string shown_object(const Op& op) {
  return op.kind == OpKind::RunHook && op.hook.quiet ? "(quiet hook)" : op.object;
}

}  // namespace

std::optional<SetupError> build(const Plan& plan, Callbacks& callbacks) {
  State st;
  for (const auto& op : plan.ops) {
    if (auto why = pending_cancel(callbacks))
      return SetupError{op.step, shown_object(op), "setup cancelled by " + *why};
    if (callbacks.progress) {
      Op visible = op;
      visible.object = shown_object(op);
      callbacks.progress(op.step, describe(visible));
    }
    auto r = run(op, plan, st, callbacks);
    if (!r) return SetupError{op.step, shown_object(op), std::move(r).error().message};
  }
  return std::nullopt;
}

std::string message_of(const SetupError& e) {
  if (e.object.empty() || e.message.find("'" + e.object + "'") != std::string::npos)
    return e.message;
  return "'" + e.object + "': " + e.message;
}

std::string to_string(const SetupError& e) {
  return std::string(step_name(e.step)) + ": " + message_of(e);
}

}  // namespace emp::jail
