// Memory of a process as the kernel accounts it, from /proc/PID/smaps_rollup.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "sys/result.h"

namespace emp::vassal {

struct MemoryUsage {
  uint64_t rss_bytes = 0;
  uint64_t pss_bytes = 0;
};

// Pure: the "Rss:" and "Pss:" lines (in kB) of smaps_rollup text.
Result<MemoryUsage> parse_smaps_rollup(std::string_view text);
Result<MemoryUsage> read_memory(pid_t pid);

}  // namespace emp::vassal
