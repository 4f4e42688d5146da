#include <doctest/doctest.h>

#include "sys/user_db.h"

namespace emp::sys {
namespace {

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/bash\n"
    "# a comment:x:5:5::/:/bin/sh\n"
    "\n"
    "+nisuser::::::\n"
    "broken:x:notanumber:7:::/bin/sh\n"
    "short:x:8\n"
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\r\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    "www-data:x:99:99:second entry, never seen:/:/bin/sh\n"
    "app:x:1000:1000::/home/app:/bin/sh";  // no final newline

constexpr const char* kGroup =
    "root:x:0:\n"
    "www-data:x:33:\n"
    "staff:x:50:app,www-data\n"
    "video:x:44:www-data\n"
    "app:x:1000:\n"
    "dup:x:50:app\n"
    "#hidden:x:77:app\n"
    "bad:x:x:app\n";

TEST_CASE("ids: decimal numbers that fit 32 bits, nothing else") {
  CHECK(parse_id("33") == 33u);
  CHECK(parse_id("0") == 0u);
  CHECK(parse_id("4294967295") == 4294967295u);
  CHECK_FALSE(parse_id("4294967296"));
  for (const char* bad : {"", "www-data", "-1", "+3", " 3", "3 ", "0x10"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_id(bad));
  }
}

TEST_CASE("users by name and by uid, as NSS files reads /etc/passwd") {
  auto w = find_user(kPasswd, "www-data");
  REQUIRE(w);
  CHECK(w->uid == 33u);
  CHECK(w->gid == 33u);
  CHECK(w->name == "www-data");  // first entry wins; the CR of a CRLF line is not part of it
  auto a = find_user(kPasswd, "app");
  REQUIRE(a);
  CHECK(a->uid == 1000u);
  auto n = find_uid(kPasswd, 65534);
  REQUIRE(n);
  CHECK(n->name == "nobody");
  CHECK(find_uid(kPasswd, 0)->name == "root");
}

TEST_CASE("comments, NIS lines and malformed lines are never matched") {
  CHECK_FALSE(find_user(kPasswd, "# a comment"));
  CHECK_FALSE(find_user(kPasswd, "+nisuser"));
  CHECK_FALSE(find_user(kPasswd, "broken"));
  CHECK_FALSE(find_user(kPasswd, "short"));
  CHECK_FALSE(find_uid(kPasswd, 8));
  CHECK_FALSE(find_user(kPasswd, "nosuchuser"));
  CHECK_FALSE(find_user("", "root"));
  CHECK_FALSE(find_user(kPasswd, ""));
  CHECK_FALSE(find_group(kGroup, "bad"));
  CHECK_FALSE(find_group(kGroup, "#hidden"));
}

TEST_CASE("groups by name, and the groups of a user as initgroups gives them") {
  auto staff = find_group(kGroup, "staff");
  REQUIRE(staff);
  CHECK(staff->gid == 50u);
  CHECK(staff->members == std::vector<std::string>{"app", "www-data"});
  CHECK(groups_of_user(kGroup, "www-data", 33) == std::vector<uint32_t>{33, 50, 44});
  // gid 50 twice (staff and dup) is listed once; the primary group first, once.
  CHECK(groups_of_user(kGroup, "app", 1000) == std::vector<uint32_t>{1000, 50});
  CHECK(groups_of_user(kGroup, "nobody", 65534) == std::vector<uint32_t>{65534});
  CHECK(groups_of_user("", "app", 7) == std::vector<uint32_t>{7});
}

}  // namespace
}  // namespace emp::sys
