// Mounts and the process's view of the filesystem: mount(2), umount2(2), pivot_root(2),
// chroot(2), and the small path operations the jail's hooks need. No policy: jail/apply
// decides what is mounted where.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sys/result.h"

namespace emp::sys {

// mount(2) with MS_* flags. fstype/data may be empty (nullptr to the kernel).
// Errors read: mount 'proc' on '/proc': No such file or directory
Result<void> mount(const std::string& source, const std::string& target, const std::string& fstype,
                   unsigned long flags, const std::string& data = {});
// A bind mount (MS_BIND, + MS_REC when recursive). The kernel ignores MS_RDONLY and the
// other per-mount flags on a new bind, so `extra` flags (MS_RDONLY, MS_NOSUID...) are
// applied afterwards by add_mount_flags, to every mount of the tree when recursive.
Result<void> bind_mount(const std::string& source, const std::string& target, bool recursive,
                        unsigned long extra = 0);
// Adds the per-mount flags among `flags` (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC,
// MS_NODIRATIME and one atime mode) to the mount at target, and with `recursive` to every
// mount below it; flags a mount already has are kept. mount_setattr(2) (Linux 5.12) does
// it in one call; without it (ENOSYS) each mount point under target found in
// /proc/self/mountinfo is remounted (MS_REMOUNT|MS_BIND) with its own flags plus these.
Result<void> add_mount_flags(const std::string& target, unsigned long flags, bool recursive);
// Propagation change (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, optionally | MS_REC).
Result<void> set_propagation(const std::string& target, unsigned long type);
// umount2(2) with MNT_* flags.
Result<void> umount(const std::string& target, int flags = 0);
// True when path is the root of a mount (statx STATX_ATTR_MOUNT_ROOT, Linux 5.8+).
Result<bool> is_mount_point(const std::string& path);

// pivot_root(2): new_root becomes /, the old root is put at put_old.
Result<void> pivot_root(const std::string& new_root, const std::string& put_old);
// Makes new_root the root and detaches the old one in place, with no directory for it:
// chdir(new_root); pivot_root(".", "."); umount2(".", MNT_DETACH); chdir("/").
// (The old root is stacked under the new one at "/" until the detach; see pivot_root(2).)
Result<void> pivot_root_and_detach_old(const std::string& new_root);
Result<void> change_root(const std::string& path);  // chroot(path) + chdir("/")
Result<void> change_directory(const std::string& path);

// Path operations; errors name the path: mkdir '/x': File exists
Result<void> make_directory(const std::string& path, unsigned mode);
// Creates path and its missing parents (mode for each one created); existing dirs are fine.
Result<void> make_directories(const std::string& path, unsigned mode);
Result<bool> is_directory(const std::string& path);
Result<bool> exists(const std::string& path);
Result<void> remove_directory(const std::string& path);
Result<void> remove_file(const std::string& path);
Result<void> change_mode(const std::string& path, unsigned mode);
// Creates an empty file when missing (an existing one is left as it is).
Result<void> touch_file(const std::string& path, unsigned mode);
Result<void> make_symlink(const std::string& target, const std::string& link);
// Writes or appends data (the file is created with mode 0644 when missing).
Result<void> put_file(const std::string& path, std::string_view data, bool append);

}  // namespace emp::sys
