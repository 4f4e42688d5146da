// emperor: the daemon (run) and its client verbs.
#include <iostream>
#include <string>
#include <vector>

#include "config/key_docs.h"
#include "emperor/cli/check.h"
#include "emperor/cli/version.h"

namespace {

constexpr const char* kUsage =
    "usage: emperor <verb> [options]\n"
    "\n"
    "verbs:\n"
    "  check [--print] FILE|DIR...     validate vassal files (--config FILE: the emperor's)\n"
    "  help keys [--markdown]          every configuration key\n"
    "  --version                       version and compiled-in features\n";

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
  if (verb == "check") return emp::cli::run_check(args);
  std::cerr << "emperor: unknown verb '" << verb << "'\n" << kUsage;
  return 2;
}
