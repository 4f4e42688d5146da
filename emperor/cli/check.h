// emperor check [--config FILE] [--print] [--quiet] [FILE|DIR...]
#pragma once

#include <string>
#include <vector>

namespace emp::cli {

int run_check(const std::vector<std::string>& argv);

}  // namespace emp::cli
