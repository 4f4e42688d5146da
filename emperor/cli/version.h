// emperor --version: the version and what was compiled in.
#pragma once

#include <string>

namespace emp::cli {

std::string version_text();

}  // namespace emp::cli
