// docs/keys.md, generated from the key tables (emperor help keys --markdown).
#pragma once

#include <string>

namespace emp::config {

std::string keys_markdown();

}  // namespace emp::config
