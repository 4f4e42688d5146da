#include "jail/hooks.h"

#include <signal.h>
#include <sys/mount.h>

#include <cstdlib>

#include "config/command_line.h"
#include "sys/child.h"
#include "sys/mount.h"
#include "sys/identity.h"

namespace emp::jail {
namespace {

using config::HookAction;

constexpr size_t kOutputInError = 2048;

std::string shown(const config::Hook& h) { return h.quiet ? "(quiet hook)" : h.text; }

Result<void> run_command(const std::string& command, const std::string& key, bool fatal,
                         bool quiet, const HookContext& context) {
  sys::SpawnOptions o;
  o.argv = config::command_argv(command);
  o.search_path = true;
  o.death_signal = SIGKILL;
  const std::string what = key + " '" + (quiet ? std::string("(quiet hook)") : command) + "'";
  sys::CaptureOptions capture;
  capture.timeout = kHookTimeout;
  capture.grace = kHookOutputGrace;
  capture.cancel = context.cancel;
  auto r = sys::run_and_capture(o, capture);
  std::string problem;
  bool cancelled = false;
  if (!r) {
    problem = r.error().message;
  } else if (!r->cancelled.empty()) {
    problem = "cancelled by " + r->cancelled;
    cancelled = true;
  } else if (r->timed_out) {
    problem = "timed out after " + std::to_string(kHookTimeout.count() / 1000) + "s";
  } else if (!r->status.success()) {
    problem = r->status.to_string();
  }
  // A quiet hook's output may carry what it hides: it is never shown.
  const std::string out = r && !quiet ? indented_output(r->output, kOutputInError) : "";
  if (problem.empty()) {
    if (!out.empty() && context.note) context.note("output of " + what + ": " + out, false);
    return ok();
  }
  if (!out.empty()) problem += "; output: " + out;
  if (!fatal && !cancelled) {
    if (context.note) context.note(what + " failed (safeexec, ignored): " + problem, true);
    return ok();
  }
  return fail(what + ": " + problem);
}

Result<void> mount_action(const config::Hook& h) {
  const std::string fs = h.args[0] == "none" ? std::string() : h.args[0];
  const std::string& src = h.args[1];
  const std::string& dst = h.args[2];
  const std::string& data = h.args[3];
  const unsigned long flags = mount_flags(h.flags);
  const unsigned long propagation = MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE;
  if (h.flags & config::kMountBind)
    return sys::bind_mount(src, dst, (h.flags & config::kMountRec) != 0,
                           flags & ~(MS_BIND | MS_REC | propagation));
  if ((flags & propagation) != 0 && (flags & ~(propagation | MS_REC)) == 0)
    return sys::set_propagation(dst, flags);
  return sys::mount(src, dst, fs, flags, data);
}

Result<void> umount_action(const config::Hook& h) {
  int flags = 0;
  // A lazy detach takes the whole subtree, which is what uWSGI's "rec" asked for.
  if (h.flags & (config::kUmountDetach | config::kMountRec)) flags |= MNT_DETACH;
  if (h.flags & config::kUmountForce) flags |= MNT_FORCE;
  return sys::umount(h.args[0], flags);
}

Result<void> putenv_action(const std::string& assignment) {
  const auto eq = assignment.find('=');
  const std::string name = assignment.substr(0, eq);
  if (::setenv(name.c_str(), assignment.c_str() + eq + 1, 1) != 0)
    return fail_errno("putenv '" + name + "'");
  return ok();
}

Result<void> action(const config::Hook& h, const std::string& key, const HookContext& context) {
  switch (h.action) {
    case HookAction::Exec: return run_command(h.args.at(0), key, true, h.quiet, context);
    case HookAction::SafeExec: return run_command(h.args.at(0), key, false, h.quiet, context);
    case HookAction::Mount: return mount_action(h);
    case HookAction::Umount: return umount_action(h);
    case HookAction::Mkdir: return sys::make_directories(h.args.at(0), 0755);
    case HookAction::Chdir: return sys::change_directory(h.args.at(0));
    case HookAction::Putenv: return putenv_action(h.args.at(0));
    case HookAction::Chmod: return sys::change_mode(h.args.at(0), h.mode);
    case HookAction::Create: return sys::touch_file(h.args.at(0), 0644);
    case HookAction::Write:
    case HookAction::Append:
      return sys::put_file(h.args.at(0), h.args.at(1) + (h.newline ? "\n" : ""),
                           h.action == HookAction::Append);
    case HookAction::Unlink: return sys::remove_file(h.args.at(0));
    case HookAction::Hostname: return sys::set_hostname(h.args.at(0));
    case HookAction::Print:
      if (context.note) context.note(indented_output(h.args.at(0), std::string::npos), false);
      return ok();
  }
  return fail("unknown hook action");
}

}  // namespace

unsigned long mount_flags(uint32_t bits) {
  struct Map {
    uint32_t bit;
    unsigned long ms;
  };
  static constexpr Map kMap[] = {
      {config::kMountBind, MS_BIND},         {config::kMountRec, MS_REC},
      {config::kMountReadOnly, MS_RDONLY},   {config::kMountRemount, MS_REMOUNT},
      {config::kMountNoSuid, MS_NOSUID},     {config::kMountNoDev, MS_NODEV},
      {config::kMountNoExec, MS_NOEXEC},     {config::kMountSync, MS_SYNCHRONOUS},
      {config::kMountDirSync, MS_DIRSYNC},   {config::kMountMandLock, MS_MANDLOCK},
      {config::kMountNoAtime, MS_NOATIME},   {config::kMountNoDirAtime, MS_NODIRATIME},
      {config::kMountRelAtime, MS_RELATIME}, {config::kMountStrictAtime, MS_STRICTATIME},
      {config::kMountMove, MS_MOVE},         {config::kMountPrivate, MS_PRIVATE},
      {config::kMountShared, MS_SHARED},     {config::kMountSlave, MS_SLAVE},
      {config::kMountUnbindable, MS_UNBINDABLE},
  };
  unsigned long out = 0;
  for (const auto& m : kMap)
    if (bits & m.bit) out |= m.ms;
  return out;
}

std::string indented_output(std::string text, size_t limit) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > limit) text = "..." + text.substr(text.size() - limit);
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

Result<void> run_hook(const config::Hook& hook, const std::string& key, const HookContext& context) {
  auto r = action(hook, key, context);
  if (r || hook.action == HookAction::Exec || hook.action == HookAction::SafeExec) return r;
  return fail(key + " '" + shown(hook) + "': " + r.error().message);
}

}  // namespace emp::jail
