#include "config/command_line.h"

#include <algorithm>
#include <iterator>

namespace emp::config {
namespace {

// Bytes that mean nothing to the shell inside a word. '=' is among them (an argument such
// as --port=80) except in the first word, where NAME=VALUE is an assignment.
bool plain_byte(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '_': case '.': case '/': case ':': case ',': case '+': case '%': case '@':
    case '=':
      return true;
    default:
      return false;
  }
}

bool blank(char c) { return c == ' ' || c == '\t'; }

// Words that /bin/sh runs itself (POSIX special and regular builtins, dash's and bash's
// usual extras, reserved words): as a first word they stay with the shell, which runs them
// without any exec, and whose meaning an external program of the same name may not have.
bool shell_word(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      ".", ":", "alias", "bg", "break", "case", "cd", "command", "continue", "do", "done",
      "echo", "elif", "else", "esac", "eval", "exec", "exit", "export", "false", "fc", "fg",
      "fi", "for", "function", "getopts", "hash", "if", "jobs", "kill", "local", "printf",
      "pwd", "read", "readonly", "return", "set", "shift", "source", "test", "then", "times",
      "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "until", "wait", "while"};
  return std::find(std::begin(kWords), std::end(kWords), w) != std::end(kWords);
}

}  // namespace

std::optional<std::vector<std::string>> plain_command_words(std::string_view command) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < command.size()) {
    if (blank(command[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < command.size() && !blank(command[i])) {
      if (!plain_byte(command[i])) return std::nullopt;
      ++i;
    }
    words.emplace_back(command.substr(start, i - start));
  }
  // `exec` replaces the shell with a program found in PATH, never with a builtin.
  if (!words.empty() && words.front() == "exec") words.erase(words.begin());
  else if (!words.empty() && shell_word(words.front())) return std::nullopt;
  if (words.empty()) return std::nullopt;
  const std::string& program = words.front();
  // "exec -a NAME": an option of exec itself; NAME=VALUE: an assignment.
  if (program[0] == '-' || program.find('=') != std::string::npos) return std::nullopt;
  return words;
}

std::vector<std::string> command_argv(std::string_view command) {
  if (auto words = plain_command_words(command)) return std::move(*words);
  return {"/bin/sh", "-c", std::string(command)};
}

}  // namespace emp::config
