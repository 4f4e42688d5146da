// Memory of a process as the kernel accounts it, from /proc/PID/smaps_rollup.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "sys/result.h"

namespace emp::vassal {

struct MemoryUsage {
  uint64_t rss_bytes = 0;
  uint64_t pss_bytes = 0;
};

// Pure: the "Rss:" and "Pss:" lines (in kB) of smaps_rollup text.
Result<MemoryUsage> parse_smaps_rollup(std::string_view text);
Result<MemoryUsage> read_memory(pid_t pid);

// A worker's memory: its process and its descendants (a command run without `exec` lives
// in a child of the worker's shell), at most kMaxTreeProcesses of them. Summed RSS counts
// pages shared between them once per process, summed PSS counts them once.
inline constexpr size_t kMaxTreeProcesses = 64;
Result<MemoryUsage> read_tree_memory(pid_t pid);

// Pure: the pids of /proc/PID/task/TID/children ("12 15 ").
std::vector<pid_t> parse_children(std::string_view text);

}  // namespace emp::vassal
