// Which directory entries are vassal files: NAME.ini/.toml/.json, minus the leftovers of
// editors and package managers that share the directory.
#pragma once

#include <string_view>

namespace emp::config {

// True for "web.ini"; false for ".web.ini", "web.ini~", "#web.ini#", "web.ini.swp",
// "4913", "web.ini.dpkg-new", "web.ini.rpmnew", "notes.txt"...
bool is_vassal_file_name(std::string_view filename);

}  // namespace emp::config
