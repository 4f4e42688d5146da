#include <doctest/doctest.h>

#include "config/command_line.h"

namespace emp::config {
namespace {

using Words = std::vector<std::string>;

TEST_CASE("a command of plain words is exec'd directly, a leading exec dropped") {
  CHECK(plain_command_words("sleep 1000") == Words{"sleep", "1000"});
  CHECK(plain_command_words("  exec /usr/bin/python3 -m app.wsgi --port=8000\t-v ") ==
        Words{"/usr/bin/python3", "-m", "app.wsgi", "--port=8000", "-v"});
  CHECK(plain_command_words("exec kill -TERM 1") == Words{"kill", "-TERM", "1"});
  CHECK(plain_command_words("exec true") == Words{"true"});
  CHECK(plain_command_words("app user@host a,b 50% +x") ==
        Words{"app", "user@host", "a,b", "50%", "+x"});
}

TEST_CASE("anything the shell would interpret stays with /bin/sh") {
  for (const char* shell_syntax :
       {"echo $HOME", "app 'a b'", "app \"x\"", "app > /tmp/log", "a; b", "a && b", "a | b",
        "app &", "ls *.py", "ls ?", "ls [ab]", "cd ~", "app # comment", "app `date`",
        "app $(date)", "(app)", "{ app; }", "app\\ x", "a\nb", "!app", "app 2>&1"}) {
    CAPTURE(shell_syntax);
    CHECK_FALSE(plain_command_words(shell_syntax));
  }
}

TEST_CASE("builtins, keywords, assignments and exec's own options stay with /bin/sh") {
  for (const char* builtin : {"echo hi", "true", "kill 1", "cd /srv", "exit 3", "set -e",
                              "export A", "wait", "if", "while", ". ./env", ": nothing",
                              "test -e x", "printf x", "ulimit -n 10", "umask 022"}) {
    CAPTURE(builtin);
    CHECK_FALSE(plain_command_words(builtin));
  }
  CHECK_FALSE(plain_command_words("PORT=80 app"));
  CHECK_FALSE(plain_command_words("exec PORT=80"));
  CHECK_FALSE(plain_command_words("exec -a name app"));
  CHECK_FALSE(plain_command_words("exec"));
  CHECK_FALSE(plain_command_words(""));
  CHECK_FALSE(plain_command_words("   "));
}

TEST_CASE("command_argv: words, or the whole line for /bin/sh -c") {
  CHECK(command_argv("exec sleep 5") == Words{"sleep", "5"});
  CHECK(command_argv("sleep 5; echo done") == Words{"/bin/sh", "-c", "sleep 5; echo done"});
  CHECK(command_argv("") == Words{"/bin/sh", "-c", ""});
}

}  // namespace
}  // namespace emp::config
