// Hook actions and exec commands, run inside the vassal's namespaces.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "config/hook.h"
#include "sys/child.h"
#include "sys/result.h"

namespace emp::jail {

// A hook command may install packages or warm caches; it is still bounded so that a stuck
// hook fails the vassal instead of hanging its start forever.
inline constexpr std::chrono::milliseconds kHookTimeout{10 * 60 * 1000};

// After a hook's shell exits, its output is read this much longer at most: a process it
// left in the background (`daemon &`) holds the pipe, and the vassal must not wait for it.
inline constexpr std::chrono::milliseconds kHookOutputGrace{50};

struct HookContext {
  // What the log should show: print: text and a command's output (warning = false), a
  // failed safeexec (warning = true). Continuation lines come indented.
  std::function<void(const std::string& text, bool warning)> note;
  // Watched while a command runs: a stop request kills the command's process group and
  // fails the hook ("exec-as-root 'sleep 12': cancelled by SIGTERM").
  std::vector<sys::CancelWatch> cancel;
};

// Runs one hook; `key` is its key (exec-as-root, hook-pre-jail...). Errors are complete
// messages that name the hook once: exec-pre-jail 'false': exit status 1
Result<void> run_hook(const config::Hook& hook, const std::string& key, const HookContext& context);

// Multi-line text for one log line or error: trailing blank lines cut, the tail kept
// (at most `limit` bytes), continuation lines indented by two spaces.
std::string indented_output(std::string text, size_t limit);

// config::MountFlag bits to MS_* flags.
unsigned long mount_flags(uint32_t bits);

}  // namespace emp::jail
