// Logging keys checked when a file is loaded: a `:LOGGER` a vassal's own loggers do not
// define, and two loggers writing the same place, are errors at their file and line.
#include <doctest/doctest.h>

#include "tests/unit/config/memory_env.h"

namespace emp::config {
namespace {

using test::MemoryFs;
using test::messages;

TEST_CASE("a vassal with loggers: its :LOGGER must name one of them") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = R"([uwsgi]
command = true
logger = main file:/tmp/a.log
log-encoder = prefix:main [a]
log-encoder = prefix:remote X
)";
  CHECK(messages(load_vassal("/v/a.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{"/v/a.ini:5: error: log-encoder 'prefix:remote X' names logger "
                                 "'remote', which this vassal does not define"});
  // logto defines the logger `file`
  fs.files["/v/b.ini"] = "[uwsgi]\ncommand = true\nlogto = /tmp/b.log\nlog-encoder = prefix:file [b]\n";
  CHECK(load_vassal("/v/b.ini", fs.load_env()).ok());
  // without loggers of its own, :LOGGER names the emperor's: only the emperor can check it
  fs.files["/v/c.ini"] = "[uwsgi]\ncommand = true\nlog-encoder = prefix:remote X\n";
  CHECK(load_vassal("/v/c.ini", fs.load_env()).ok());
}

TEST_CASE("two loggers writing the same place are refused") {
  MemoryFs fs;
  fs.files["/v/d.ini"] = R"([uwsgi]
command = true
logger = stderr
logger = stderr
logger = a file:/tmp/x.log
logger = b file:/tmp/x.log
logger = file:/tmp/y.log
logto = /tmp/y.log
logger = syslog:web
logger = s2 syslog:web,local0
)";
  CHECK(messages(load_vassal("/v/d.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{
            "/v/d.ini:10: error: logger 'stderr' writes where logger 'stderr' does: every line "
            "would be written twice",
            "/v/d.ini:10: error: logger 'b file:/tmp/x.log' writes where logger 'a "
            "file:/tmp/x.log' does: every line would be written twice",
            "/v/d.ini:10: error: logto '/tmp/y.log' and logger 'file:/tmp/y.log' write the same "
            "file: every line would be written twice"});
  fs.files["/e.ini"] = "[uwsgi]\nlogger = stderr\nlogger = stderr\n";
  CHECK(messages(load_emperor("/e.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{"/e.ini:3: error: logger 'stderr' writes where logger 'stderr' "
                                 "does: every line would be written twice"});
}

}  // namespace
}  // namespace emp::config
