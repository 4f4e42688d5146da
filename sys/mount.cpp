#include "sys/mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "sys/unique_fd.h"

namespace emp::sys {
namespace {

const char* or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

std::string q(const std::string& s) { return "'" + s + "'"; }

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

unsigned long per_mount_flags(const std::string& options) {
  unsigned long flags = 0;
  size_t start = 0;
  while (start <= options.size()) {
    const size_t end = std::min(options.find(',', start), options.size());
    const std::string o = options.substr(start, end - start);
    if (o == "ro") flags |= MS_RDONLY;
    if (o == "nosuid") flags |= MS_NOSUID;
    if (o == "nodev") flags |= MS_NODEV;
    if (o == "noexec") flags |= MS_NOEXEC;
    if (o == "noatime") flags |= MS_NOATIME;
    if (o == "nodiratime") flags |= MS_NODIRATIME;
    if (o == "relatime") flags |= MS_RELATIME;
    start = end + 1;
  }
  return flags;
}

struct MountEntry {
  std::string path;
  unsigned long flags;  // MS_* per-mount flags it has now
};

// The mounts at target (and below it when recursive), in mount order, from mountinfo.
Result<std::vector<MountEntry>> mounts_at_or_below(const std::string& target, bool recursive) {
  char* real = ::realpath(target.c_str(), nullptr);
  if (!real) return fail_errno("resolve " + q(target));
  const std::string top = real;
  std::free(real);
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return fail_errno("read '/proc/self/mountinfo'");
  std::vector<MountEntry> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, options;
    if (!(fields >> id >> parent >> dev >> root >> point >> options)) continue;
    point = unescape(point);
    const bool below = recursive && (top == "/" ? point.size() > 1
                                                : point.compare(0, top.size() + 1, top + "/") == 0);
    if (point == top || below) out.push_back({point, per_mount_flags(options)});
  }
  return out;
}

}  // namespace

Result<void> mount(const std::string& source, const std::string& target, const std::string& fstype,
                   unsigned long flags, const std::string& data) {
  if (::mount(or_null(source), target.c_str(), or_null(fstype), flags, or_null(data)) != 0) {
    const std::string what = fstype.empty() ? source : fstype;
    return fail_errno("mount " + q(what.empty() ? std::string("none") : what) + " on " + q(target));
  }
  return ok();
}

Result<void> bind_mount(const std::string& source, const std::string& target, bool recursive,
                        unsigned long extra) {
  const unsigned long flags = MS_BIND | (recursive ? MS_REC : 0);
  if (::mount(source.c_str(), target.c_str(), nullptr, flags, nullptr) != 0)
    return fail_errno("bind " + q(source) + " on " + q(target));
  if (extra != 0) return add_mount_flags(target, extra, recursive);
  return ok();
}

Result<void> add_mount_flags(const std::string& target, unsigned long flags, bool recursive) {
  mount_attr attr{};
  if (flags & MS_RDONLY) attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME) attr.attr_set |= MOUNT_ATTR_NODIRATIME;
  // The atime mode is one field: it is cleared, then set, only when one is asked for.
  if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
    attr.attr_clr |= MOUNT_ATTR__ATIME;
    attr.attr_set |= (flags & MS_NOATIME)       ? MOUNT_ATTR_NOATIME
                     : (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
                                                : MOUNT_ATTR_RELATIME;
  }
  if (attr.attr_set == 0 && attr.attr_clr == 0) return ok();
  const unsigned at = AT_NO_AUTOMOUNT | (recursive ? AT_RECURSIVE : 0u);
  if (::syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), at, &attr, sizeof attr) == 0)
    return ok();
  if (errno != ENOSYS)
    return fail_errno("set mount flags of " + q(target) + (recursive ? " and its submounts" : ""));
  // Before Linux 5.12: MS_REMOUNT|MS_BIND replaces a mount's flags (it only changes the top
  // mount of a tree), so each mount is remounted with what it had plus what is asked.
  EMP_TRY(auto mounts, mounts_at_or_below(target, recursive));
  for (const auto& m : mounts) {
    unsigned long keep = m.flags;
    if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
      keep &= ~(MS_NOATIME | MS_STRICTATIME | MS_RELATIME);
    if (::mount(nullptr, m.path.c_str(), nullptr, MS_REMOUNT | MS_BIND | keep | flags, nullptr) != 0)
      return fail_errno("remount bind " + q(m.path) +
                        (m.path == target ? "" : " (under " + q(target) + ")") +
                        " without mount_setattr");
  }
  return ok();
}

Result<void> set_propagation(const std::string& target, unsigned long type) {
  if (::mount(nullptr, target.c_str(), nullptr, type, nullptr) != 0)
    return fail_errno("change propagation of " + q(target));
  return ok();
}

Result<void> umount(const std::string& target, int flags) {
  if (::umount2(target.c_str(), flags) != 0) return fail_errno("umount " + q(target));
  return ok();
}

Result<bool> is_mount_point(const std::string& path) {
  struct statx stx {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0)
    return fail_errno("stat " + q(path));
  if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0)
    return fail("stat " + q(path) + ": the kernel does not report mount roots", ENOTSUP);
  return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

Result<void> pivot_root(const std::string& new_root, const std::string& put_old) {
  if (::syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()) != 0)
    return fail_errno("pivot_root " + q(new_root));
  if (::chdir("/") != 0) return fail_errno("chdir '/'");
  return ok();
}

Result<void> pivot_root_and_detach_old(const std::string& new_root) {
  UniqueFd dir(::open(new_root.c_str(), O_DIRECTORY | O_PATH | O_CLOEXEC));
  if (!dir) return fail_errno("open " + q(new_root));
  if (::fchdir(dir.get()) != 0) return fail_errno("chdir " + q(new_root));
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return fail_errno("pivot_root " + q(new_root));
  if (::umount2(".", MNT_DETACH) != 0) return fail_errno("detach the old root");
  if (::chdir("/") != 0) return fail_errno("chdir '/'");
  return ok();
}

Result<void> change_root(const std::string& path) {
  if (::chroot(path.c_str()) != 0) return fail_errno("chroot " + q(path));
  if (::chdir("/") != 0) return fail_errno("chdir '/'");
  return ok();
}

Result<void> change_directory(const std::string& path) {
  if (::chdir(path.c_str()) != 0) return fail_errno("chdir " + q(path));
  return ok();
}

Result<void> make_directory(const std::string& path, unsigned mode) {
  if (::mkdir(path.c_str(), mode) != 0) return fail_errno("mkdir " + q(path));
  return ok();
}

Result<void> make_directories(const std::string& path, unsigned mode) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST) return fail_errno("mkdir " + q(part));
  }
  EMP_TRY(const bool dir, is_directory(path));
  if (!dir) return fail("mkdir " + q(path) + ": " + std::strerror(ENOTDIR), ENOTDIR);
  return ok();
}

Result<bool> is_directory(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail_errno("stat " + q(path));
  return S_ISDIR(st.st_mode);
}

Result<bool> exists(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return fail_errno("stat " + q(path));
}

Result<void> remove_directory(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return fail_errno("rmdir " + q(path));
  return ok();
}

Result<void> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return fail_errno("unlink " + q(path));
  return ok();
}

Result<void> change_mode(const std::string& path, unsigned mode) {
  if (::chmod(path.c_str(), mode) != 0) return fail_errno("chmod " + q(path));
  return ok();
}

Result<void> touch_file(const std::string& path, unsigned mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) return fail_errno("create " + q(path));
  return ok();
}

Result<void> make_symlink(const std::string& target, const std::string& link) {
  if (::symlink(target.c_str(), link.c_str()) != 0) return fail_errno("symlink " + q(link));
  return ok();
}

Result<void> put_file(const std::string& path, std::string_view data, bool append) {
  const int mode = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  UniqueFd fd(::open(path.c_str(), mode, 0644));
  if (!fd) return fail_errno(std::string(append ? "append to " : "write ") + q(path));
  while (!data.empty()) {
    const ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("write " + q(path));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

}  // namespace emp::sys
