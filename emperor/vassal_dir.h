// Reading the vassal directory: which files are vassal files, and a snapshot of each
// (content, mtime in nanoseconds, owner and mode) to decide what changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sys/result.h"

namespace emp::emperor {

struct FileSnapshot {
  std::string filename;  // "web.ini"
  std::string path;      // "<dir>/web.ini"
  std::string content;
  int64_t mtime_ns = 0;
  uint32_t uid = 0, gid = 0, mode = 0;  // of the file a symlink points to

  // Same content and same metadata: nothing happened.
  bool same_as(const FileSnapshot& o) const {
    return content == o.content && mtime_ns == o.mtime_ns && uid == o.uid && gid == o.gid &&
           mode == o.mode;
  }
};

// Names of the vassal files in `dir`, sorted. Fails when the directory cannot be read.
Result<std::vector<std::string>> list_vassal_files(const std::string& dir);
// nullopt when the file does not exist (any more); symlinks are followed.
Result<std::optional<FileSnapshot>> snapshot(const std::string& dir, const std::string& filename);

}  // namespace emp::emperor
