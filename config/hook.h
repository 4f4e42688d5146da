// Hooks: exec-* commands and hook-* actions in uWSGI's "action:args" syntax.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sys/result.h"

namespace emp::config {

enum class HookAction : uint8_t {
  Exec,      // exec:CMD, and every exec-* key: /bin/sh -c CMD, failure is fatal
  SafeExec,  // safeexec:CMD: failure is logged, not fatal
  Mount,     // mount:FS SRC DST [FLAGS [DATA]]
  Umount,    // umount:PATH [FLAGS]
  Mkdir,     // mkdir:PATH
  Chdir,     // chdir:PATH, cd:PATH
  Putenv,    // putenv:NAME=VALUE
  Chmod,     // chmod:PATH MODE (octal)
  Create,    // create:PATH, creat:PATH (an empty file)
  Write,     // write:PATH TEXT (writen: TEXT and a newline)
  Append,    // append:PATH TEXT (appendn: TEXT and a newline)
  Unlink,    // unlink:PATH
  Hostname,  // hostname:NAME
  Print,     // print:TEXT, log:TEXT
};
const char* hook_action_name(HookAction a);

// Mount and umount flags by uWSGI's names; our own bits so this header needs no
// <sys/mount.h>. jail/apply maps them to MS_* and MNT_*.
enum MountFlag : uint32_t {
  kMountBind = 1u << 0,
  kMountRec = 1u << 1,
  kMountReadOnly = 1u << 2,
  kMountRemount = 1u << 3,
  kMountNoSuid = 1u << 4,
  kMountNoDev = 1u << 5,
  kMountNoExec = 1u << 6,
  kMountSync = 1u << 7,
  kMountDirSync = 1u << 8,
  kMountMandLock = 1u << 9,
  kMountNoAtime = 1u << 10,
  kMountNoDirAtime = 1u << 11,
  kMountRelAtime = 1u << 12,
  kMountStrictAtime = 1u << 13,
  kMountMove = 1u << 14,
  kMountPrivate = 1u << 15,
  kMountShared = 1u << 16,
  kMountSlave = 1u << 17,
  kMountUnbindable = 1u << 18,
  kUmountDetach = 1u << 19,
  kUmountForce = 1u << 20,
};

struct Hook {
  HookAction action = HookAction::Exec;
  // Exec/SafeExec/Print: {text}; Mount: {fs, src, dst, data}; Umount: {path};
  // Write/Append: {path, text}; Chmod: {path}; Putenv: {NAME=VALUE}; others: {path or name}.
  std::vector<std::string> args;
  uint32_t flags = 0;        // MountFlag bits for mount/umount
  uint32_t mode = 0;         // chmod
  bool newline = false;      // writen/appendn
  bool quiet = false;        // uWSGI's "!action:": not echoed to the log (may carry secrets)
  std::string text;          // as written in the file

  friend bool operator==(const Hook&, const Hook&) = default;
};

// A hook-* value, "action:args". Errors read: invalid hook 'mount:proc': mount needs FS SRC DST
Result<Hook> parse_hook(std::string_view text);
// An exec-* value: the command line itself.
Result<Hook> parse_exec_hook(std::string_view command);

}  // namespace emp::config
