#include "sys/user_db.h"

#include <algorithm>
#include <charconv>

namespace emp::sys {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// Calls `take(fields)` for each entry line with at least `min_fields` fields, until it
// returns true.
template <typename Take>
void each_entry(std::string_view text, size_t min_fields, Take take) {
  for (std::string_view line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    const auto fields = split(line, ':');
    if (fields.size() < min_fields || fields[0].empty()) continue;
    if (take(fields)) return;
  }
}

std::optional<PasswdEntry> passwd_entry(const std::vector<std::string_view>& f) {
  const auto uid = parse_id(f[2]);
  const auto gid = parse_id(f[3]);
  if (!uid || !gid) return std::nullopt;
  return PasswdEntry{std::string(f[0]), *uid, *gid};
}

std::optional<GroupEntry> group_entry(const std::vector<std::string_view>& f) {
  const auto gid = parse_id(f[2]);
  if (!gid) return std::nullopt;
  GroupEntry g{std::string(f[0]), *gid, {}};
  if (f.size() > 3 && !f[3].empty())
    for (auto m : split(f[3], ','))
      if (!m.empty()) g.members.emplace_back(m);
  return g;
}

}  // namespace

std::optional<uint32_t> parse_id(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<PasswdEntry> find_user(std::string_view passwd, std::string_view name) {
  std::optional<PasswdEntry> found;
  each_entry(passwd, 7, [&](const auto& f) {
    if (f[0] != name) return false;
    found = passwd_entry(f);
    return found.has_value();
  });
  return found;
}

std::optional<PasswdEntry> find_uid(std::string_view passwd, uint32_t uid) {
  std::optional<PasswdEntry> found;
  each_entry(passwd, 7, [&](const auto& f) {
    auto e = passwd_entry(f);
    if (!e || e->uid != uid) return false;
    found = std::move(e);
    return true;
  });
  return found;
}

std::optional<GroupEntry> find_group(std::string_view group, std::string_view name) {
  std::optional<GroupEntry> found;
  each_entry(group, 3, [&](const auto& f) {
    if (f[0] != name) return false;
    found = group_entry(f);
    return found.has_value();
  });
  return found;
}

std::vector<uint32_t> groups_of_user(std::string_view group, std::string_view user, uint32_t primary) {
  std::vector<uint32_t> out{primary};
  each_entry(group, 3, [&](const auto& f) {
    const auto g = group_entry(f);
    if (g && std::find(g->members.begin(), g->members.end(), user) != g->members.end() &&
        std::find(out.begin(), out.end(), g->gid) == out.end())
      out.push_back(g->gid);
    return false;
  });
  return out;
}

}  // namespace emp::sys
