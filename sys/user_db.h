// User and group names as the vassal binary resolves them: /etc/passwd and /etc/group read
// as text, the way the NSS "files" module reads them, and nothing else. The vassal binary is
// linked -static (no dynamic loader at each vassal start), and a static glibc that
// dlopens an NSS module (the "systemd" of Debian's nsswitch.conf, asked for a uid the files
// do not know) crashes; no module code is loaded into the still-root vassal process either.
// The lookups run before the jail is built, on the host's files. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emp::sys {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;  // primary group
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// "33" as an id; nullopt for anything else (a name, a sign, spaces, out of range).
std::optional<uint32_t> parse_id(std::string_view s);

// The first entry with that name (or uid), as NSS files answers. Comment lines, NIS
// compat lines (+/-) and malformed lines (too few fields, ids that are not numbers) are
// skipped.
std::optional<PasswdEntry> find_user(std::string_view passwd, std::string_view name);
std::optional<PasswdEntry> find_uid(std::string_view passwd, uint32_t uid);
std::optional<GroupEntry> find_group(std::string_view group, std::string_view name);

// What initgroups(3) gives `user`: `primary` first, then every group that lists the user
// as a member, each gid once.
std::vector<uint32_t> groups_of_user(std::string_view group, std::string_view user, uint32_t primary);

}  // namespace emp::sys
