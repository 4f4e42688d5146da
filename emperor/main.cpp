// emperor: the daemon (run) and its client verbs.
#include <linux/close_range.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "config/key_docs.h"
#include "emperor/cli/check.h"
#include "emperor/cli/verbs.h"
#include "emperor/cli/version.h"
#include "emperor/daemon.h"
#include "emperor/run_options.h"

namespace {

constexpr const char* kUsage =
    "usage: emperor <verb> [options]\n"
    "\n"
    "verbs:\n"
    "  run [--config FILE] [--vassals DIR] [--runtime-dir DIR] [--use-clone NS,...]\n"
    "                                  the daemon, in the foreground\n"
    "  status [NAME] [--json]          the empire, or one vassal\n"
    "  start|stop|restart|reload NAME  act, and wait for the outcome (--timeout SECONDS)\n"
    "  events [--json]                 follow state changes\n"
    "  logs NAME [-f] [-n N] [--since TIME] [--json]\n"
    "                                  a vassal's last lines (--reopen: reopen log files;\n"
    "                                  --stats: the loggers' counters)\n"
    "  check [--print] FILE|DIR...     validate vassal files (--config FILE: the emperor's)\n"
    "  help keys [--markdown]          every configuration key\n"
    "  --version                       version and compiled-in features\n"
    "\n"
    "Client verbs take --runtime-dir DIR (or EMPEROR_RUNTIME_DIR; default /run/emperor).\n";

int run_daemon(const std::vector<std::string>& args) {
  // Whatever our starter left open without close-on-exec (a shell's or an ssh session's
  // fds) must not reach any vassal: the emperor uses none of them.
  if (::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    std::cerr << "emperor: close_range: " << std::strerror(errno) << "\n";
    return 1;
  }
  auto options = emp::emperor::parse_run_options(args);
  if (!options) {
    std::cerr << options.error().message << "\n";
    return 2;
  }
  auto daemon = emp::emperor::Daemon::create(std::move(*options));
  if (!daemon) {
    std::cerr << "emperor: " << daemon.error().message << "\n";
    return 1;
  }
  return (*daemon)->run();
}

int help(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "keys") {
    std::cout << emp::config::keys_markdown();
    return 0;
  }
  std::cout << kUsage;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string verb = args.front();
  args.erase(args.begin());
  if (verb == "--version" || verb == "version") {
    std::cout << emp::cli::version_text();
    return 0;
  }
  if (verb == "--help" || verb == "-h" || verb == "help") return help(args);
  // `emperor VERB --help` asks, it is not a mistake: the usage on stdout, exit 0.
  if (verb != "check" && std::any_of(args.begin(), args.end(),
                                     [](const std::string& a) { return a == "--help" || a == "-h"; })) {
    std::cout << kUsage;
    return 0;
  }
  if (verb == "check") return emp::cli::run_check(args);
  if (verb == "run") return run_daemon(args);
  if (verb == "status") return emp::cli::run_status(args);
  if (verb == "events") return emp::cli::run_events(args);
  if (verb == "logs") return emp::cli::run_logs(args);
  if (verb == "start" || verb == "stop" || verb == "restart" || verb == "reload")
    return emp::cli::run_control(verb, args);
  std::cerr << "emperor: unknown verb '" << verb << "'\n" << kUsage;
  return 2;
}
