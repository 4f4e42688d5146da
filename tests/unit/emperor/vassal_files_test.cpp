#include <doctest/doctest.h>

#include "config/vassal_files.h"

namespace emp::config {
namespace {

TEST_CASE("which directory entries are vassal files") {
  for (const char* yes : {"web.ini", "api.toml", "job.json", "a@b.ini", "x.y.ini"}) CHECK_MESSAGE(is_vassal_file_name(yes), yes);
  for (const char* no : {".web.ini", "web.ini~", "#web.ini#", ".web.ini.swp", "web.ini.swp", "4913",
                         "web.ini.dpkg-new", "web.ini.dpkg-old", "web.ini.dpkg-dist", "web.ini.rpmnew",
                         "web.ini.rpmsave", "web.ini.ucf-dist", "..data", "web.yaml", "web", "notes.txt",
                         "web.ini.bak", "web.ini.orig", "web.ini.tmp", ""})
    CHECK_MESSAGE(!is_vassal_file_name(no), no);
}

}  // namespace
}  // namespace emp::config
