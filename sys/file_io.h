// Whole-file reads and path resolution, with errors that name the path.
#pragma once

#include <cstddef>
#include <string>

#include "sys/result.h"

namespace emp::sys {

// Reads at most `limit` bytes plus one, so a caller can tell a file is too large.
Result<std::string> read_file(const std::string& path, size_t limit);
// realpath(3), or the path itself when it cannot be resolved (it may not exist yet).
std::string canonical_path(const std::string& path);
// Writes `data` to `path` (created with `mode`, truncated).
Result<void> write_file(const std::string& path, std::string_view data, unsigned mode = 0644);

}  // namespace emp::sys
