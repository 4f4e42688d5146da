// How a configured command line (a worker's `command`, an `exec-*` hook, `exec-as-root`)
// is started. A line the shell would only split on blanks is exec'd directly, without a
// /bin/sh in between: one exec less per worker and hook, and the program's own pid is the
// worker's. Anything the shell would interpret (quotes, $, globs, redirections, ;, |, &,
// ~, #, assignments, builtins, keywords) goes to /bin/sh -c unchanged. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emp::config {

// The words of `command` when running it needs no shell, else nullopt. A leading `exec`
// is dropped: for the shell it means "replace me with the program", which a direct exec
// already is ("exec kill -TERM 1" -> {"kill", "-TERM", "1"}, the program, not the builtin).
std::optional<std::vector<std::string>> plain_command_words(std::string_view command);

// {words...} for a plain command (argv[0] still to be found in PATH), else
// {"/bin/sh", "-c", command}.
std::vector<std::string> command_argv(std::string_view command);

}  // namespace emp::config
