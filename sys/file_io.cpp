#include "sys/file_io.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "sys/unique_fd.h"

namespace emp::sys {

Result<std::string> read_file(const std::string& path, size_t limit) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (a tenant's include of a FIFO
  // would otherwise freeze the emperor); anything but a regular file is refused below.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) return fail_errno("open '" + path + "'");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail_errno("stat '" + path + "'");
  if (S_ISDIR(st.st_mode)) return fail("read '" + path + "': is a directory", EISDIR);
  if (!S_ISREG(st.st_mode)) return fail("read '" + path + "': not a regular file", EINVAL);
  std::string out;
  char buf[65536];
  while (out.size() <= limit) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read '" + path + "'");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string canonical_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf)) return buf;
  return path;
}

Result<void> write_file(const std::string& path, std::string_view data, unsigned mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) return fail_errno("open '" + path + "'");
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write '" + path + "'");
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

namespace {

Result<void> write_all(int fd, std::string_view data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write '" + what + "'");
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

}  // namespace

Result<AtomicWriteMode> write_atomic(const std::string& dir, const std::string& name,
                                     std::string_view data, unsigned mode) {
  const std::string target = dir + "/" + name;
  const std::string temp = dir + "/." + name + "." + std::to_string(::getpid()) + ".tmp";
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
  AtomicWriteMode used = AtomicWriteMode::TmpFile;
  if (fd) {
    EMP_CHECK(write_all(fd.get(), data, target));
    // linkat(AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH; the /proc path does not.
    const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
    ::unlink(temp.c_str());
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) != 0)
      return fail_errno("link '" + temp + "'");
  } else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
    used = AtomicWriteMode::NamedTemp;  // the filesystem has no O_TMPFILE
    fd.reset(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd) return fail_errno("open '" + temp + "'");
    EMP_CHECK(write_all(fd.get(), data, temp));
  } else {
    return fail_errno("open O_TMPFILE in '" + dir + "'");
  }
  if (::fchmod(fd.get(), mode) != 0) return fail_errno("chmod '" + temp + "'");
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return fail_errno("rename '" + temp + "' to '" + target + "'", saved);
  }
  return used;
}

Result<UniqueFd> lock_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return fail_errno("open '" + path + "'");
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return fail_errno("lock '" + path + "'");
  return fd;
}

}  // namespace emp::sys
