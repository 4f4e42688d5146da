#include "sys/identity.h"

#include <grp.h>  // setgroups(2)
#include <unistd.h>

#include <cerrno>

#include "sys/file_io.h"
#include "sys/user_db.h"

namespace emp::sys {
namespace {

constexpr const char* kPasswd = "/etc/passwd";
constexpr const char* kGroup = "/etc/group";
constexpr size_t kDatabaseLimit = 64 * 1024 * 1024;

// The database's text; a missing file is an empty database (a bare root may have none).
Result<std::string> database(const char* path) {
  auto text = read_file(path, kDatabaseLimit);
  if (!text && text.error().code == ENOENT) return std::string();
  return text;
}

}  // namespace

Result<UserLookup> lookup_user(const std::string& name_or_number) {
  const auto number = parse_id(name_or_number);
  EMP_TRY(const std::string passwd, database(kPasswd).context("look up user '" + name_or_number + "'"));
  const auto entry = number ? find_uid(passwd, *number) : find_user(passwd, name_or_number);
  UserLookup out;
  if (entry) {
    out.user = User{entry->uid, entry->gid, entry->name};
    out.found = true;
    return out;
  }
  if (!number) return fail("unknown user '" + name_or_number + "' (not in " + kPasswd + ")", ENOENT);
  out.user.uid = *number;
  return out;
}

Result<gid_t> lookup_group(const std::string& name_or_number) {
  if (const auto number = parse_id(name_or_number)) return static_cast<gid_t>(*number);
  EMP_TRY(const std::string group, database(kGroup).context("look up group '" + name_or_number + "'"));
  const auto entry = find_group(group, name_or_number);
  if (!entry) return fail("unknown group '" + name_or_number + "' (not in " + kGroup + ")", ENOENT);
  return entry->gid;
}

Result<std::vector<gid_t>> groups_of(const std::string& user, gid_t gid) {
  EMP_TRY(const std::string group, database(kGroup).context("look up the groups of '" + user + "'"));
  const auto ids = groups_of_user(group, user, gid);
  return std::vector<gid_t>(ids.begin(), ids.end());
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
