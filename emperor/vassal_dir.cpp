#include "emperor/vassal_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "config/loader.h"
#include "config/vassal_files.h"
#include "sys/unique_fd.h"

namespace emp::emperor {

Result<std::vector<std::string>> list_vassal_files(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return fail_errno("open directory '" + dir + "'");
  std::vector<std::string> out;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    if (config::is_vassal_file_name(e->d_name)) out.emplace_back(e->d_name);
  }
  const int saved = errno;
  ::closedir(d);
  if (saved != 0) return fail_errno("read directory '" + dir + "'", saved);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::optional<FileSnapshot>> snapshot(const std::string& dir, const std::string& filename) {
  FileSnapshot s;
  s.filename = filename;
  s.path = dir + "/" + filename;
  sys::UniqueFd fd(::open(s.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) {
    if (errno == ENOENT) return std::optional<FileSnapshot>{};  // gone, or a dangling symlink
    return fail_errno("open '" + s.path + "'");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail_errno("stat '" + s.path + "'");
  if (!S_ISREG(st.st_mode)) return fail("read '" + s.path + "': not a regular file");
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.uid = st.st_uid;
  s.gid = st.st_gid;
  s.mode = st.st_mode & 07777;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read '" + s.path + "'");
    }
    if (n == 0) break;
    s.content.append(buf, static_cast<size_t>(n));
    // The loader refuses anything larger; one byte more is enough to say so.
    if (s.content.size() > config::kMaxConfigBytes) break;
  }
  return std::optional<FileSnapshot>{std::move(s)};
}

}  // namespace emp::emperor
