#include "sys/mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "sys/unique_fd.h"

namespace emp::sys {
namespace {

const char* or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

std::string q(const std::string& s) { return "'" + s + "'"; }

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
  if (extra != 0 &&
      ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | extra, nullptr) != 0)
    return fail_errno("remount bind " + q(target));
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
