#include "config/hook.h"

#include <charconv>

#include "config/text.h"

namespace emp::config {
namespace {

struct ActionName {
  std::string_view name;
  HookAction action;
  bool newline;
};

constexpr ActionName kActions[] = {
    {"exec", HookAction::Exec, false},      {"safeexec", HookAction::SafeExec, false},
    {"mount", HookAction::Mount, false},    {"umount", HookAction::Umount, false},
    {"mkdir", HookAction::Mkdir, false},    {"chdir", HookAction::Chdir, false},
    {"cd", HookAction::Chdir, false},       {"putenv", HookAction::Putenv, false},
    {"chmod", HookAction::Chmod, false},    {"create", HookAction::Create, false},
    {"creat", HookAction::Create, false},   {"write", HookAction::Write, false},
    {"writen", HookAction::Write, true},    {"append", HookAction::Append, false},
    {"appendn", HookAction::Append, true},  {"unlink", HookAction::Unlink, false},
    {"hostname", HookAction::Hostname, false}, {"print", HookAction::Print, false},
    {"log", HookAction::Print, false},
};

// uWSGI actions that call into its own runtime; we name them so a migrating operator
// learns why, instead of reading "unknown action".
constexpr std::string_view kUwsgiOnly[] = {
    "call", "callret", "callint", "callintret", "rpc", "retryrpc", "alarm", "chown", "chown2",
    "sticky", "writefifo", "wait_for_fs", "wait_for_file", "wait_for_dir", "wait_for_socket",
    "unix_signal", "spinningfifo", "exit"};

struct FlagName {
  std::string_view name;
  uint32_t bit;
};
constexpr FlagName kMountFlags[] = {
    {"bind", kMountBind},         {"rec", kMountRec},           {"recursive", kMountRec},
    {"ro", kMountReadOnly},       {"rdonly", kMountReadOnly},   {"readonly", kMountReadOnly},
    {"remount", kMountRemount},   {"nosuid", kMountNoSuid},     {"nodev", kMountNoDev},
    {"noexec", kMountNoExec},     {"sync", kMountSync},         {"dirsync", kMountDirSync},
    {"mandlock", kMountMandLock}, {"noatime", kMountNoAtime},   {"nodiratime", kMountNoDirAtime},
    {"relatime", kMountRelAtime}, {"strictatime", kMountStrictAtime}, {"move", kMountMove},
    {"private", kMountPrivate},   {"shared", kMountShared},     {"slave", kMountSlave},
    {"unbindable", kMountUnbindable},
};
constexpr FlagName kUmountFlags[] = {
    {"detach", kUmountDetach}, {"force", kUmountForce}, {"rec", kMountRec}, {"recursive", kMountRec}};

// Flag words become bits; "key=value" words (tmpfs size=64m...) are filesystem data, as
// with mount(8) -o, and go to *data when the caller takes data.
template <size_t N>
Result<uint32_t> parse_flags(std::string_view list, const FlagName (&table)[N], const char* what,
                             std::string* data = nullptr) {
  uint32_t bits = 0;
  for (auto word : split_list(list)) {
    if (word == "defaults") continue;
    if (data && word.find('=') != std::string_view::npos) {
      *data += (data->empty() ? "" : ",") + std::string(word);
      continue;
    }
    bool found = false;
    for (const auto& f : table)
      if (f.name == word) {
        bits |= f.bit;
        found = true;
      }
    if (!found) return fail("unknown " + std::string(what) + " flag '" + std::string(word) + "'");
  }
  return bits;
}

// Splits "a b rest of it" into the first n-1 words and the rest (which may hold spaces).
std::vector<std::string> split_head(std::string_view s, size_t n) {
  std::vector<std::string> out;
  s = trim(s);
  while (!s.empty() && out.size() + 1 < n) {
    const auto space = s.find_first_of(" \t");
    out.emplace_back(s.substr(0, space));
    s = space == std::string_view::npos ? std::string_view{} : trim(s.substr(space));
  }
  if (!s.empty()) out.emplace_back(s);
  return out;
}

Result<void> need_path(const std::string& arg, const char* action) {
  if (arg.empty()) return fail(std::string(action) + " needs a path");
  return ok();
}

Result<void> parse_args(Hook& h, std::string_view name, std::string_view args) {
  const std::string action(name);
  switch (h.action) {
    case HookAction::Exec:
    case HookAction::SafeExec:
      if (trim(args).empty()) return fail(action + " needs a command");
      h.args = {std::string(trim(args))};
      return ok();
    case HookAction::Print:
      h.args = {std::string(args)};
      return ok();
    case HookAction::Mount: {
      auto w = split_head(args, 5);
      if (w.size() < 3) return fail("mount needs FS SRC DST [FLAGS [DATA]]");
      std::string data;
      if (w.size() >= 4) {
        EMP_TRY(h.flags, parse_flags(w[3], kMountFlags, "mount", &data));
      }
      if (w.size() == 5) data += (data.empty() ? "" : ",") + w[4];
      h.args = {w[0], w[1], w[2], data};
      if (w[2].front() != '/') return fail("mount target '" + w[2] + "' is not an absolute path");
      return ok();
    }
    case HookAction::Umount: {
      auto w = split_head(args, 2);
      if (w.empty()) return fail("umount needs PATH [FLAGS]");
      if (w.size() == 2) {
        EMP_TRY(h.flags, parse_flags(w[1], kUmountFlags, "umount"));
      }
      h.args = {w[0]};
      return ok();
    }
    case HookAction::Write:
    case HookAction::Append: {
      auto w = split_head(args, 2);
      if (w.empty()) return fail(action + " needs PATH TEXT");
      h.args = {w[0], w.size() == 2 ? w[1] : std::string()};
      return ok();
    }
    case HookAction::Chmod: {
      auto w = split_head(args, 2);
      if (w.size() != 2) return fail("chmod needs PATH MODE");
      unsigned mode = 0;
      auto [end, ec] = std::from_chars(w[1].data(), w[1].data() + w[1].size(), mode, 8);
      if (ec != std::errc{} || end != w[1].data() + w[1].size() || mode > 07777)
        return fail("chmod mode '" + w[1] + "' is not an octal mode");
      h.args = {w[0]};
      h.mode = mode;
      return ok();
    }
    case HookAction::Putenv:
      if (args.find('=') == std::string_view::npos || args.front() == '=')
        return fail("putenv needs NAME=VALUE");
      h.args = {std::string(args)};
      return ok();
    case HookAction::Hostname:
      if (trim(args).empty()) return fail("hostname needs a name");
      h.args = {std::string(trim(args))};
      return ok();
    case HookAction::Mkdir:
    case HookAction::Chdir:
    case HookAction::Create:
    case HookAction::Unlink:
      h.args = {std::string(trim(args))};
      return need_path(h.args[0], action.c_str());
  }
  return ok();
}

}  // namespace

const char* hook_action_name(HookAction a) {
  for (const auto& entry : kActions)
    if (entry.action == a) return entry.name.data();
  return "?";
}

Result<Hook> parse_hook(std::string_view text) {
  const std::string quoted = quote_for_message(text);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return fail("invalid hook '" + quoted + "': expected ACTION:ARGS, e.g. mkdir:/tmp/x");
  Hook h;
  h.text = std::string(text);
  auto name = text.substr(0, colon);
  if (!name.empty() && name.front() == '!') {
    h.quiet = true;
    name.remove_prefix(1);
  }
  const ActionName* found = nullptr;
  for (const auto& entry : kActions)
    if (entry.name == name) found = &entry;
  if (!found) {
    for (auto u : kUwsgiOnly)
      if (u == name)
        return fail("invalid hook '" + quoted + "': action '" + std::string(name) +
                    "' calls into uWSGI's runtime and is not supported");
    return fail("invalid hook '" + quoted + "': unknown action '" + std::string(name) + "'");
  }
  h.action = found->action;
  h.newline = found->newline;
  auto parsed = parse_args(h, name, text.substr(colon + 1));
  if (!parsed) return fail("invalid hook '" + quoted + "': " + parsed.error().message);
  return h;
}

Result<Hook> parse_exec_hook(std::string_view command) {
  if (trim(command).empty()) return fail("empty command");
  Hook h;
  h.action = HookAction::Exec;
  h.args = {std::string(trim(command))};
  h.text = std::string(command);
  return h;
}

}  // namespace emp::config
