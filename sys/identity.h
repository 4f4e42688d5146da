// Who the process is: user and group lookups (/etc/passwd and /etc/group of the filesystem
// the process sees at the call, read as files: no NSS module is ever loaded, see
// sys/user_db.h), supplementary groups, gid and uid, and its UTS host name.
// No policy: jail/apply decides the order and the defaults.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "sys/result.h"

namespace emp::sys {

struct User {
  uid_t uid = 0;
  gid_t gid = 0;     // primary group
  std::string name;  // empty when looked up by a number with no passwd entry
};

// "www-data" or "33". A number without a passwd entry is accepted (name and gid unset:
// found == false). Errors read: unknown user 'nosuchuser' (not in /etc/passwd)
struct UserLookup {
  User user;
  bool found = false;
};
Result<UserLookup> lookup_user(const std::string& name_or_number);
// "www-data" or "33" (a number needs no group entry). Errors read: unknown group 'x' (not in
// /etc/group)
Result<gid_t> lookup_group(const std::string& name_or_number);
// As getgrouplist(3): `gid`, then every group of /etc/group that lists `user`.
Result<std::vector<gid_t>> groups_of(const std::string& user, gid_t gid);

// setgroups(2), setresgid(2), setresuid(2): real, effective and saved ids all set.
Result<void> set_groups(const std::vector<gid_t>& groups);
Result<void> set_gid(gid_t gid);
Result<void> set_uid(uid_t uid);

Result<void> set_hostname(const std::string& name);

}  // namespace emp::sys
