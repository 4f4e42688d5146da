// ini/toml/json includes: in place, relative to the including file, depth and cycles.
#include <doctest/doctest.h>

#include "tests/unit/config/memory_env.h"

namespace emp::config {
namespace {

using test::MemoryFs;
using test::messages;

TEST_CASE("an include is expanded in place, relative to the including file") {
  MemoryFs fs;
  fs.files["/etc/vassals/web.ini"] = R"([uwsgi]
processes = 2
ini = ../templates/base.ini
env = C=3
)";
  fs.files["/etc/templates/base.ini"] = R"([uwsgi]
processes = 8
env = A=%n
toml = more/extra.toml
command = run
)";
  fs.files["/etc/templates/more/extra.toml"] = "env = \"B=2\"\njson = \"x.json\"\n";
  fs.files["/etc/templates/more/x.json"] = R"({"hostname": "%n"})";
  auto l = load_vassal("/etc/vassals/web.ini", fs.load_env());
  REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
  CHECK(l.spec->processes == 8u);  // the include came later, so it wins
  CHECK(l.spec->env == std::vector<std::string>{"A=base", "B=2", "C=3"});
  CHECK(l.spec->hostname == "x");  // %n is the file being read, as in uWSGI
  CHECK(l.spec->name == "web");
}

TEST_CASE("ini = FILE:SECTION reads that section") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = "[uwsgi]\nini = /t/common.ini:prod\n";
  fs.files["/t/common.ini"] = "[dev]\ncommand = dev\n[prod]\ncommand = prod\n";
  auto l = load_vassal("/v/a.ini", fs.load_env());
  REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
  CHECK(l.spec->command == "prod");
}

TEST_CASE("a missing include is reported at the include line") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = "[uwsgi]\ncommand = x\nini = nothere.ini\n";
  CHECK(messages(load_vassal("/v/a.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{
            "/v/a.ini:3: error: include '/v/nothere.ini': open '/v/nothere.ini': No such file or directory"});
}

TEST_CASE("include cycles are refused") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = "[uwsgi]\ncommand = x\nini = b.ini\n";
  fs.files["/v/b.ini"] = "[uwsgi]\nini = ./a.ini\n";
  CHECK(messages(load_vassal("/v/a.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{
            "/v/b.ini:2: error: include '/v/./a.ini': include cycle: /v/a.ini -> /v/b.ini -> /v/a.ini"});
}

TEST_CASE("include depth is limited") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = "[uwsgi]\ncommand = x\nini = /d/0.ini\n";
  for (int i = 0; i < 40; ++i)
    fs.files["/d/" + std::to_string(i) + ".ini"] = "[uwsgi]\nini = " + std::to_string(i + 1) + ".ini\n";
  CHECK(messages(load_vassal("/v/a.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{
            "/d/15.ini:2: error: include '/d/16.ini': includes nest deeper than 16 levels"});
}

TEST_CASE("an included file's own errors carry its own name and line") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = "[uwsgi]\ncommand = x\nini = b.ini\n";
  fs.files["/v/b.ini"] = "[uwsgi]\n\nprocesses = many\n";
  CHECK(messages(load_vassal("/v/a.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{
            "/v/b.ini:3: error: 'processes': invalid number 'many' (expected a whole number from 1 to 4096)"});
}

}  // namespace
}  // namespace emp::config
