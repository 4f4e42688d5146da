// emperor run: the command line merged over the emperor's config file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/emperor_spec.h"
#include "emperor/throttle.h"
#include "sys/result.h"

namespace emp::emperor {

struct RunOptions {
  std::string vassals_dir = config::kDefaultVassalsDir;
  std::string runtime_dir = config::kDefaultRuntimeDir;
  config::NamespaceSet use_clone = config::default_use_clone();
  bool tyrant = false;
  Throttle throttle;
  config::EmperorSpec config;  // the whole file, for the router and the log pipeline
};

// argv after "run". Config diagnostics are printed to stderr by the caller's choice:
// they are returned in the error message, one per line.
Result<RunOptions> parse_run_options(const std::vector<std::string>& argv);

}  // namespace emp::emperor
