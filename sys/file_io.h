// Whole-file reads and path resolution, with errors that name the path.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::sys {

// Reads a regular file (anything else, a FIFO or a device, is refused without blocking): at
// most `limit` bytes plus one, so a caller can tell a file is too large.
Result<std::string> read_file(const std::string& path, size_t limit);
// realpath(3), or the path itself when it cannot be resolved (it may not exist yet).
std::string canonical_path(const std::string& path);
// Writes `data` to `path` (created with `mode`, truncated).
Result<void> write_file(const std::string& path, std::string_view data, unsigned mode = 0644);

enum class AtomicWriteMode { TmpFile, NamedTemp };
// Replaces `dir`/`name` atomically with `data`: readers see the old or the new file, never
// a partial one. Uses an O_TMPFILE file linked into place when the filesystem supports it,
// a named temporary file otherwise; returns which one it used.
Result<AtomicWriteMode> write_atomic(const std::string& dir, const std::string& name,
                                     std::string_view data, unsigned mode = 0644);

// An exclusive flock on `path` (created if needed), held as long as the fd lives.
// Fails with EWOULDBLOCK when another process holds it.
Result<UniqueFd> lock_file(const std::string& path);

}  // namespace emp::sys
