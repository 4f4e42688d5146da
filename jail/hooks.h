// Hook actions and exec commands, run inside the vassal's namespaces.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "config/hook.h"
#include "sys/result.h"

namespace emp::jail {

// A hook command may install packages or warm caches; it is still bounded so that a stuck
// hook fails the vassal instead of hanging its start forever.
inline constexpr std::chrono::milliseconds kHookTimeout{10 * 60 * 1000};

// Runs one hook; `key` is its key (exec-as-root, hook-pre-jail...). `note` receives what
// the log should show (print: text, a failed safeexec). Errors are complete messages:
// exec-pre-jail 'false': exit status 1
Result<void> run_hook(const config::Hook& hook, const std::string& key,
                      const std::function<void(const std::string&)>& note);

// config::MountFlag bits to MS_* flags.
unsigned long mount_flags(uint32_t bits);

}  // namespace emp::jail
