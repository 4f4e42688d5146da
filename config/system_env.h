// The LoadEnv of a real process: files from the filesystem, the process environment,
// and name checks by libcap and libseccomp.
#pragma once

#include "config/loader.h"

namespace emp::config {

LoadEnv system_load_env();
NameCheck system_name_check();

}  // namespace emp::config
