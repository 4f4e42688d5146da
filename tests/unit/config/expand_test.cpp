// Magic variables, placeholders and $(ENV), in every format.
#include <doctest/doctest.h>

#include "tests/unit/config/memory_env.h"

namespace emp::config {
namespace {

using test::MemoryFs;
using test::messages;

TEST_CASE("magic variables refer to the file being read") {
  MemoryFs fs;
  fs.files["/etc/vassals/web.ini"] = R"([uwsgi]
command = echo %n %p %d %x %e %c %o 100%%
)";
  auto l = load_vassal("/etc/vassals/web.ini", fs.load_env());
  REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
  CHECK(*l.spec->command ==
        "echo web /etc/vassals/web.ini /etc/vassals/ web.ini ini vassals /etc/vassals/web.ini 100%");
}

TEST_CASE("placeholders: set-placeholder, set-ph, and already-set keys") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = R"([uwsgi]
set-placeholder = port=8080
set-ph = host=%n.example
hostname = h1
command = serve %(host):%(port) on %(hostname)
)";
  auto l = load_vassal("/v/a.ini", fs.load_env());
  REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
  CHECK(*l.spec->command == "serve a.example:8080 on h1");
}

TEST_CASE("environment variables") {
  MemoryFs fs;
  fs.env["APP_PORT"] = "9000";
  fs.files["/v/a.toml"] = "command = \"serve $(APP_PORT) $ (not) $5 $$(hostname) $$\"\n";
  auto l = load_vassal("/v/a.toml", fs.load_env());
  REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
  // "$$(" is the escape for shell command substitution; "$$" alone stays the shell's pid.
  CHECK(*l.spec->command == "serve 9000 $ (not) $5 $(hostname) $$");
}

TEST_CASE("expansion errors name the problem") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = R"([uwsgi]
command = run
hostname = %(nope)
chdir = /srv/$(MISSING)
env = A=%z
env = B=%(open
env = C=$(open
env = D=50%
set-ph = novalue
)";
  CHECK(messages(load_vassal("/v/a.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{
            "/v/a.ini:3: error: 'hostname': unknown placeholder '%(nope)'",
            "/v/a.ini:4: error: 'chdir': environment variable 'MISSING' is not set",
            "/v/a.ini:5: error: 'env': unknown magic variable '%z' (write %% for a literal %)",
            "/v/a.ini:6: error: 'env': unterminated '%(' in 'B=%(open'",
            "/v/a.ini:7: error: 'env': unterminated '$(' in 'C=$(open'",
            "/v/a.ini:8: error: 'env': lone '%' at the end of 'D=50%' (write %% for a literal %)",
            "/v/a.ini:9: error: 'set-ph': expected NAME=VALUE, got 'novalue'"});
}

TEST_CASE("JSON and TOML string values expand too") {
  MemoryFs fs;
  fs.files["/v/j.json"] = R"({"set-ph": "x=1", "command": "run %(x) %n"})";
  auto l = load_vassal("/v/j.json", fs.load_env());
  REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
  CHECK(*l.spec->command == "run 1 j");
}

}  // namespace
}  // namespace emp::config
