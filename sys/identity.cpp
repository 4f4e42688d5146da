#include "sys/identity.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace emp::sys {
namespace {

std::optional<uint32_t> as_number(const std::string& s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// getpw*_r/getgr*_r report "no entry" as 0 (or ENOENT/ESRCH) with a null result, and
// real failures (an unreadable database) as another errno; the buffer grows on ERANGE.
bool no_entry(int err) { return err == 0 || err == ENOENT || err == ESRCH; }

}  // namespace

Result<UserLookup> lookup_user(const std::string& name_or_number) {
  const auto number = as_number(name_or_number);
  const std::string what = "user '" + name_or_number + "'";
  // Entries point into the lookup's buffer; copy out what we need inside the callback.
  UserLookup out;
  auto copy = [&](passwd* pw) {
    out.user = User{pw->pw_uid, pw->pw_gid, pw->pw_name};
    out.found = true;
  };
  std::vector<char> buf(4096);
  for (;;) {
    passwd entry{};
    passwd* result = nullptr;
    const int err = number ? ::getpwuid_r(*number, &entry, buf.data(), buf.size(), &result)
                           : ::getpwnam_r(name_or_number.c_str(), &entry, buf.data(), buf.size(),
                                          &result);
    if (err == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (!no_entry(err)) return fail_errno("look up " + what, err);
    if (result) copy(result);
    break;
  }
  if (out.found) return out;
  if (!number) return fail("unknown " + what, ENOENT);
  out.user.uid = *number;
  return out;
}

Result<gid_t> lookup_group(const std::string& name_or_number) {
  if (const auto number = as_number(name_or_number)) return static_cast<gid_t>(*number);
  std::vector<char> buf(4096);
  for (;;) {
    group entry{};
    group* result = nullptr;
    const int err = ::getgrnam_r(name_or_number.c_str(), &entry, buf.data(), buf.size(), &result);
    if (err == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (!no_entry(err))
      return fail_errno("look up group '" + name_or_number + "'", err);
    if (!result) return fail("unknown group '" + name_or_number + "'", ENOENT);
    return result->gr_gid;
  }
}

Result<std::vector<gid_t>> groups_of(const std::string& user, gid_t gid) {
  std::vector<gid_t> groups(64);
  for (;;) {
    int n = static_cast<int>(groups.size());
    if (::getgrouplist(user.c_str(), gid, groups.data(), &n) >= 0) {
      groups.resize(static_cast<size_t>(n));
      return groups;
    }
    if (n <= static_cast<int>(groups.size()) || groups.size() > 65536)
      return fail("look up the groups of '" + user + "': getgrouplist failed");
    groups.resize(static_cast<size_t>(n));
  }
}

Result<void> set_groups(const std::vector<gid_t>& groups) {
  if (::setgroups(groups.size(), groups.data()) != 0) return fail_errno("setgroups");
  return ok();
}

Result<void> set_gid(gid_t gid) {
  if (::setresgid(gid, gid, gid) != 0) return fail_errno("setgid " + std::to_string(gid));
  return ok();
}

Result<void> set_uid(uid_t uid) {
  if (::setresuid(uid, uid, uid) != 0) return fail_errno("setuid " + std::to_string(uid));
  return ok();
}

Result<void> set_hostname(const std::string& name) {
  if (::sethostname(name.c_str(), name.size()) != 0)
    return fail_errno("sethostname '" + name + "'");
  return ok();
}

}  // namespace emp::sys
