// A small command-line reader for the emperor's verbs: --flag, --opt VALUE, --opt=VALUE,
// and positional arguments. Unknown options are usage errors (exit 2).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sys/result.h"

namespace emp::cli {

struct Args {
  std::map<std::string, std::string> options;  // --name VALUE
  std::set<std::string> flags;                 // --name
  std::vector<std::string> positional;

  bool flag(const std::string& name) const { return flags.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
};

struct ArgSpec {
  std::set<std::string> flags;         // e.g. {"print", "json"}
  std::set<std::string> with_value;    // e.g. {"config", "runtime-dir"}
  std::map<char, std::string> shorts;  // e.g. {'f', "follow"}
};

Result<Args> parse_args(const std::vector<std::string>& argv, const ArgSpec& spec);

}  // namespace emp::cli
