#include "config/vassal_files.h"

namespace emp::config {
namespace {
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

bool is_vassal_file_name(std::string_view f) {
  if (f.empty() || f.front() == '.' || f.front() == '#' || f.back() == '~') return false;
  // vim's write test file; dpkg/rpm/ucf leave these next to the files they manage.
  if (f == "4913") return false;
  for (auto marker : {".dpkg-", ".rpmnew", ".rpmsave", ".rpmorig", ".ucf-", ".swp", ".swx",
                      ".tmp", ".bak", ".orig"})
    if (f.find(marker) != std::string_view::npos) return false;
  return ends_with(f, ".ini") || ends_with(f, ".toml") || ends_with(f, ".json");
}

}  // namespace emp::config
